package dev.voi.architecture.broken.qcow2;

/** Breaks "chain and qcow2 use no Jakarta API". */
public class UsesJakarta {
  jakarta.persistence.EntityManager entityManager;
}
