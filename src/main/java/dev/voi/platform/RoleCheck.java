package dev.voi.platform;

import jakarta.annotation.Priority;
import jakarta.ws.rs.ForbiddenException;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.DynamicFeature;
import jakarta.ws.rs.container.ResourceInfo;
import jakarta.ws.rs.core.FeatureContext;
import jakarta.ws.rs.ext.Provider;
import java.lang.reflect.Method;
import java.util.Set;

/**
 * Enforces {@link OpenTo} on resource methods (or their class). A method with no annotation is for
 * the administrator only: secure by default. A role check only says "may call this kind of
 * endpoint"; a terminal's access to one terminal id or image is checked by the resource.
 */
@Provider
public class RoleCheck implements DynamicFeature {

  @Override
  public void configure(ResourceInfo resource, FeatureContext context) {
    Set<String> allowed = allowedRoles(resource.getResourceMethod(), resource.getResourceClass());
    context.register(new Check(allowed), Priorities.AUTHORIZATION);
  }

  static Set<String> allowedRoles(Method method, Class<?> type) {
    OpenTo roles = method.getAnnotation(OpenTo.class);
    if (roles == null && type != null) {
      roles = type.getAnnotation(OpenTo.class);
    }
    return roles == null ? Set.of(Caller.ADMIN_ROLE) : Set.of(roles.value());
  }

  @Priority(Priorities.AUTHORIZATION)
  private record Check(Set<String> allowed) implements ContainerRequestFilter {
    @Override
    public void filter(jakarta.ws.rs.container.ContainerRequestContext request) {
      if (allowed.stream().noneMatch(request.getSecurityContext()::isUserInRole)) {
        throw new ForbiddenException("This endpoint is not open to this caller");
      }
    }
  }
}
