/**
 * Deliberately broken classes, one or two per rule of {@link dev.voi.ArchitectureTest}: each rule
 * must report its own violation here. Nothing in the main code may look like this.
 */
package dev.voi.architecture.broken;
