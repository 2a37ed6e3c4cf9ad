/**
 * The SOAP integration (docs/design.md §12): {@code /soap/v1}, the same operations, rules and
 * refusals as the REST API, for suites that integrate over SOAP.
 */
package dev.voi.soap;
