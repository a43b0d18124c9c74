/**
 * {@code vmscope decode}: {@link dev.vmscope.explain.decode.DecodeRequest#parse} then
 * {@link dev.vmscope.explain.decode.Decoder#decode} gives a {@link dev.vmscope.explain.decode.Report}
 * (text via {@code toText()}, structured via {@code toJson()}). Bad input is a
 * {@link dev.vmscope.explain.decode.DecodeException}.
 */
package dev.vmscope.explain.decode;
