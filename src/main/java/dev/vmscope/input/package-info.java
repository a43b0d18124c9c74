/**
 * Reading the files users hand to the analyzer, whatever they are: {@code -} (stdin), FIFOs and devices,
 * gzip/xz/zstd compression, UTF-16 and byte-order marks, binary trace formats recognised by their magic (with
 * the command that turns them into text), and a byte cap enforced while reading, so no input can exhaust memory.
 * Pure Java; nothing here knows a trace or dump format.
 */
package dev.vmscope.input;
