/**
 * Exact x87 and SSE/SSE2 floating point for the software CPU, in integer arithmetic (Java's {@code double}
 * rounds to nearest only): every operation computes its exact result and rounds once (IEEE 754-2008 4.3),
 * with x86's NaN, flag, denormal and exception rules (Intel SDM vol. 1 chapters 4.8-4.9, 8, 10-11).
 *
 * <h2>Using it from the CPU</h2>
 * <ul>
 * <li>{@link dev.vmscope.emu.softfloat.FpuState}: one per vCPU; registers R0-R7 (physical) with TOP and tags,
 *     FCW/FSW/FOP/pointers, MXCSR, XMM0-15; {@code push/pop/setSt/stackFault/mergeStatus/setConditionCodes},
 *     {@code finit/reset}, {@code fxsave/fxrstor}, {@code fnstenv/fldenv/fnsave/frstor} (32-bit protected-mode
 *     layout), {@code mmxEnter/mmx/setMmx/emms}.</li>
 * <li>{@link dev.vmscope.emu.softfloat.X87}: one per vCPU. Per instruction: {@code setControl(fcw)},
 *     {@code clearStatus()}, an operation, then {@code sig()/signExp()} (and {@code sig2()/signExp2()} for
 *     FXTRACT, FSINCOS, FPTAN), {@code status()} into FSW via {@code FpuState.mergeStatus} (or
 *     {@code setConditionCodes} for C0-C3 results). If {@code suppressed()} (unmasked IE/DE/ZE) do not write the
 *     destination; stores to memory check {@code storeSuppressed()}. Operations: {@code add, sub, mul, div, sqrt};
 *     {@link dev.vmscope.emu.softfloat.X87Convert} {@code fromInt, toInt (FIST/FISTTP), fromFloat32/64 (FLD m32/m64),
 *     toFloat32/64 (FST), fromBcd, toBcd, roundInt (FRNDINT)}; {@link dev.vmscope.emu.softfloat.X87Ops}
 *     {@code compare (FCOM/FUCOM and, with eflags(), FCOMI/FUCOMI), conditionCodes, test (FTST), examine (FXAM),
 *     extract (FXTRACT), scale (FSCALE), remainder (FPREM/FPREM1), loadConstant (FLDPI...)};
 *     {@link dev.vmscope.emu.softfloat.X87Trans} {@code sin, cos, sinCos, tan, atan, exp2m1, ylog2x, ylog2xp1}.
 *     Operands with a memory source (FADD m32, FIMUL m16, FCOM m64...) are converted first with X87Convert
 *     (exact; SNaN and denormal flags come from the conversion) and then operated on. FLD1/FLDZ/FLDL2x are
 *     constants (FLD1 = {@code X87.MSB_ONE, 0x3FFF}); FCHS/FABS only flip/clear bit 15 of {@code se}.</li>
 * <li>{@link dev.vmscope.emu.softfloat.Sse}: one per vCPU. {@code setMxcsr}, {@code clearStatus}, then
 *     {@code add32/64, sub, mul, div, sqrt, min, max, cmp32/64(imm 0-7), comi32/64} and
 *     {@link dev.vmscope.emu.softfloat.SseConvert} ({@code toSingle, toDouble, intToSingle, intToDouble,
 *     singleToInt, doubleToInt}); OR {@code status()} into MXCSR; an unmasked exception other than PE
 *     ({@code suppressed()}) leaves the destination unchanged and raises #XM (CR4.OSXMMEXCPT = 1) or #UD. Packed
 *     forms run the scalar operation per element, OR the flags, and write nothing if any element is
 *     suppressed.</li>
 * </ul>
 * Hot paths allocate nothing; the transcendentals use BigDecimal.
 *
 * <h2>Checked against the host CPU</h2>
 * {@code X87OracleTest}, {@code SseOracleTest} and {@code FpuStateTest} run generated operands through
 * src/test/c/softfloat/fpu_oracle.c (gcc, x87 inline assembly and SSE instructions) and compare bit for bit.
 */
package dev.vmscope.emu.softfloat;
