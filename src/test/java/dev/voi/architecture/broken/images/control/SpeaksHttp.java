package dev.voi.architecture.broken.images.control;

/** Breaks "only boundaries and platform use jakarta.ws.rs". */
public class SpeaksHttp {
  jakarta.ws.rs.core.Response response;
}
