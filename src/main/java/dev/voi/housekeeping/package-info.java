/**
 * The five-second timer: writes the "last seen" moments gathered in memory, notices image and
 * terminal changes another instance made, and prunes the history past its retention.
 */
package dev.voi.housekeeping;
