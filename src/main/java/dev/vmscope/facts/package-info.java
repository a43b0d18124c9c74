/**
 * Knowledge tables for the analyzer: every entry carries the citation it came from.
 *
 * <ul>
 *   <li>Code tables ({@link dev.vmscope.facts.CodeTable} of
 *       {@link dev.vmscope.facts.ExitCodeInfo}): {@code SvmExitCodes}, {@code VmxExitReasons},
 *       {@code BhyveExitCodes}, {@code KvmExitReasons} (+ internal-error suberrors), {@code VmxInstructionErrors}.</li>
 *   <li>Bit layouts ({@link dev.vmscope.facts.BitLayout#decode(long)} gives a
 *       {@link dev.vmscope.facts.Decoded} listing every field, reserved bits off their fixed value and
 *       unknown set bits, all flagged): {@code ControlRegisters} (RFLAGS, CR0, CR4, EFER, XCR0),
 *       {@code ExceptionVectors.BITMAP}, {@code VmcbIntercepts}, {@code EventInfo}, {@code SegmentAttributes},
 *       {@code ExitQualifications}, {@code LocalApic} (ICR), {@code VmcbLayout.INT_CTL}, {@code Msrs.APIC_BASE}.</li>
 *   <li>Lookups: {@code ExceptionVectors}, {@code Msrs}, {@code IoPorts}, {@code LocalApic} registers,
 *       {@code VmcbLayout} offsets, {@code BhyveStats} (bhyvectl statistic descriptions).</li>
 * </ul>
 *
 * Pure Java: no FFM, no KVM/vCPU code.
 */
package dev.vmscope.facts;
