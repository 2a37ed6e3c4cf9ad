package dev.voi.architecture.broken.terminals.control;

/** A control class that breaks no rule. */
public class Plain {}
