/**
 * Staged rollouts (docs/design.md §11): an image's plan of waves of groups, the tip each wave has
 * released, automatic advance on the success threshold and halting on the error threshold. A change
 * of a plan or of a released tip goes through the images component's one lock → revise → announce,
 * so that answers, caches and other instances follow it like a publish.
 */
package dev.voi.rollouts;
