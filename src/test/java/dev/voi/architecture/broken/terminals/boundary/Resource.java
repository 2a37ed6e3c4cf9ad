package dev.voi.architecture.broken.terminals.boundary;

/** A boundary class: it may speak JAX-RS. */
public class Resource {
  jakarta.ws.rs.core.Response response;
}
