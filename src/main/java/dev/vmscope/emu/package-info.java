/**
 * vmscope's software x86 CPU: the {@code emu} backend of {@link dev.vmscope.hypervisor.Hypervisor}
 * ({@code --accel emu}).
 *
 * <h2>Shape</h2>
 * An interpreter built as a chain of small layers sharing primitive fields: {@code CpuRegs} (registers, lazy
 * flags) &rarr; {@code CpuMemory} (software TLB, page walker, MMIO exits) &rarr; {@code CpuSegments}
 * (segmentation, descriptors) &rarr; {@code CpuEvents} (IDT/IVT delivery, IRET) &rarr; {@code CpuSystem}
 * (CR/DR/MSR, SYSCALL/SYSENTER) &rarr; {@code CpuAlu} &rarr; {@code ExecOperands} (operands, strings, port
 * I/O) &rarr; {@code ExecMain} (one-byte map) &rarr; {@code ExecSystem} &rarr; {@code ExecX87} (D8-DF, WAIT; register
 * stack semantics in {@code X87Stack}, FNSTENV/FNSAVE images in {@code X87Env}, arithmetic in {@code softfloat}) &rarr;
 * {@code ExecSimd} (MMX/SSE) &rarr; {@code ExecTwoByte} (0F map)
 * &rarr; {@code Interpreter} (fetch, decoded-instruction cache) &rarr; {@link dev.vmscope.emu.EmuCpu} (run
 * loop, events, the contract). {@code Decoder} turns bytes into {@code Insn} records, cached per physical page.
 *
 * <h2>Decoded blocks and self-modifying code</h2>
 * Where nothing watches single instructions (no TF, debugger or instruction observer, no open interrupt
 * shadow), the interpreter runs {@code DecodedBlock}s: runs of computing, load and store instructions within
 * one page, ending with a near branch. A block's bytes are compared with memory once on entry, not per
 * instruction; any other instruction goes through the one-instruction path, which compares its own bytes on
 * every execution. Visibility of code writes: a store by this CPU into the page of the running block (or an
 * exit it queues) ends the block after that instruction, so the next instruction is decoded from the new bytes,
 * as x86 requires for self-modifying code. Blocks run in chains of up to 4096 instructions; code written by
 * other vCPUs or DMA is seen at the next block entry, except that a block branching back to itself is compared
 * once per chain, so such a tight loop sees it when the chain ends (at the latest after 4096 instructions, a
 * kick, or any instruction outside blocks). x86 guarantees cross-modifying code only after the executing
 * processor executes a serialising instruction (Intel SDM Vol. 3A 9.1.3), and every serialising instruction
 * ends a chain. Interrupts, kicks and exits are looked at between chains (block instructions cannot change
 * IF, TF or interrupt shadows).
 *
 * <h2>Exit semantics (KVM's)</h2>
 * Port reads, MMIO reads and MSR accesses that leave the CPU unwind the instruction uncommitted; the next
 * run() executes it again first (before any event), served from the per-instruction read cache. MMIO
 * writes, OUT and HLT are queued and returned after the instruction commits. String port I/O moves up to a
 * page (or RCX) per exit; INS never touches RAX. A triple fault is {@code Shutdown}; an instruction that is
 * not implemented, or any Java exception inside the CPU, is {@code InternalError} suberror 1 with data
 * {1, length} and the instruction bytes, RIP left at the instruction, and {@code EmuCpu.failureMessage()}
 * naming the cause. LOCK-prefixed read-modify-write and XCHG with memory hold one VM-wide lock, so they are
 * atomic with respect to each other across vCPU threads.
 *
 * <h2>Not implemented (CPUID does not advertise them; using them is #UD or an emulation failure)</h2>
 * SSE3 and later (the 0F38/0F3A maps and the SSE3 encodings in the 0F map are #UD; x87, MMX, SSE, SSE2,
 * FXSAVE/FXRSTOR and LDMXCSR/STMXCSR are implemented), XSAVE,
 * AVX (VEX/EVEX and XOP are decoded for length and #UD), hardware task switches and task gates, call gates,
 * virtual-8086 mode, SMM, MONITOR/MWAIT, RDRAND, PCID, SMEP/SMAP, FSGSBASE, and the I/O breakpoints of DR7.
 * The TSC runs at 1 GHz from {@link System#nanoTime()}, or in deterministic mode from the machine's virtual clock
 * ({@code VirtualCpu.useClock}); CPUID leaves 0x15/0x16 say so exactly (crystal = the LAPIC timer clock), with
 * invariant TSC and IA32_TSC_ADJUST. {@code run(budget)} ends with BudgetUsed after that many instructions.
 * The debugger's watched ranges ({@code GuestDebug.watches}) are checked by DebugUnit on every data access.
 */
package dev.vmscope.emu;
