package dev.vmscope.explain.parse;

/** One line of an input file; {@code number} is 1-based as editors show it. */
public record Line(int number, String text) {}
