package dev.voi.platform;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RoleCheckTest {

  static class Unannotated {
    public void call() {}
  }

  @OpenTo({Caller.ADMIN_ROLE, Caller.TERMINAL_ROLE})
  static class OpenToBoth {
    public void call() {}

    @OpenTo(Caller.TERMINAL_ROLE)
    public void terminalOnly() {}
  }

  @Test
  void withoutAnAnnotationOnlyTheAdministratorMayCall() throws Exception {
    assertThat(RoleCheck.allowedRoles(Unannotated.class.getMethod("call"), Unannotated.class))
        .containsExactly(Caller.ADMIN_ROLE);
  }

  @Test
  void theMethodAnnotationWinsOverTheClassAnnotation() throws Exception {
    assertThat(RoleCheck.allowedRoles(OpenToBoth.class.getMethod("call"), OpenToBoth.class))
        .containsExactlyInAnyOrder(Caller.ADMIN_ROLE, Caller.TERMINAL_ROLE);
    assertThat(RoleCheck.allowedRoles(OpenToBoth.class.getMethod("terminalOnly"), OpenToBoth.class))
        .containsExactly(Caller.TERMINAL_ROLE);
  }
}
