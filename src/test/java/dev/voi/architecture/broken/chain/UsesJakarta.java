package dev.voi.architecture.broken.chain;

/** Breaks "chain and qcow2 use no Jakarta API". */
public class UsesJakarta {
  jakarta.enterprise.inject.Instance<Object> instance;
}
