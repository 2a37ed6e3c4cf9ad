package dev.voi.platform;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The roles that may call a resource method (or every method of a resource class). Without it a
 * method is for the administrator only. Not {@code @RolesAllowed}: the container would answer that
 * one itself with its own Basic-authentication challenge.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.TYPE, ElementType.METHOD})
public @interface OpenTo {
  String[] value();
}
