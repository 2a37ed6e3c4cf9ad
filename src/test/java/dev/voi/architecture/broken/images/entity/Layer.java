package dev.voi.architecture.broken.images.entity;

/** An entity that breaks no rule; the shared kernel must not use it all the same. */
public class Layer {}
