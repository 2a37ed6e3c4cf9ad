/**
 * Groups of terminals and their maintenance windows (docs/design.md §11): every terminal belongs to
 * one group; a group's windows say when its terminals may move bytes. The windows are read with
 * every image's chain ({@code answers}), so a change of them revises every image.
 */
package dev.voi.groups;
