package dev.voi;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.arguments;

import com.tngtech.archunit.ArchConfiguration;
import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import com.tngtech.archunit.lang.ArchRule;
import com.tngtech.archunit.lang.EvaluationResult;
import java.util.Arrays;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Named;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The dependency rules of the main code, checked on its compiled classes. Each rule is written for
 * a root package so that it is also run, in {@link #everyRuleRejectsItsViolation}, against the
 * deliberately broken classes under {@code dev.voi.architecture}: a rule that could not fail would
 * be caught there.
 *
 * <ul>
 *   <li>{@code chain} and {@code qcow2} (shared with the terminal agent) and the agent itself use
 *       no Jakarta API; the administrator's command line ({@code cli}) neither, and of the server's
 *       code only {@code chain} and {@code qcow2};
 *   <li>only boundaries and {@code platform} speak JAX-RS;
 *   <li>no cycles between components ({@code dev.voi.*}); {@code platform}, {@code chain}, {@code
 *       qcow2} and {@code storage} are shared kernels that every component may use, and they use
 *       none of the other components;
 *   <li>entities know neither control nor boundary, control knows no boundary.
 * </ul>
 */
class ArchitectureTest {

  private static final String ROOT = "dev.voi";
  private static final String[] KERNELS = {"platform", "chain", "qcow2", "storage"};

  static {
    // The rules look at package names only: no need to load Jakarta, Hibernate and the JDK
    // behind every dependency (seconds of class path scanning).
    ArchConfiguration.get().setResolveMissingDependenciesFromClassPath(false);
  }

  private static final JavaClasses MAIN =
      new ClassFileImporter()
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
          .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_JARS)
          .importPackages(ROOT);

  static ArchRule chainAndQcow2UseNoJakarta(String root) {
    return noClasses()
        .that()
        .resideInAnyPackage(root + ".chain..", root + ".qcow2..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("jakarta..")
        .as("chain and qcow2 use no Jakarta API");
  }

  static ArchRule agentUsesNoJakarta(String root) {
    return noClasses()
        .that()
        .resideInAPackage(root + ".agent..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("jakarta..")
        .as("the terminal agent uses no Jakarta API");
  }

  static ArchRule cliUsesOnlyThePlainCore(String root) {
    return noClasses()
        .that()
        .resideInAPackage(root + ".cli..")
        .should()
        .dependOnClassesThat(
            JavaClass.Predicates.resideInAPackage("jakarta..")
                .or(
                    JavaClass.Predicates.resideInAPackage(root + "..")
                        .and(
                            JavaClass.Predicates.resideOutsideOfPackages(
                                root + ".cli..", root + ".chain..", root + ".qcow2.."))))
        .as("the command line uses no Jakarta API and only chain and qcow2 of the server");
  }

  static ArchRule jaxRsOnlyInBoundariesAndPlatform(String root) {
    return noClasses()
        .that()
        .resideOutsideOfPackages("..boundary..", root + ".platform..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage("jakarta.ws.rs..")
        .as("only boundaries and platform use jakarta.ws.rs");
  }

  static ArchRule noCyclesBetweenComponents(String root) {
    return slices()
        .matching(root + ".(*)..")
        .should()
        .beFreeOfCycles()
        .as("no cycles between the components of " + root);
  }

  static ArchRule kernelsUseNoOtherComponent(String root) {
    String[] kernels =
        Arrays.stream(KERNELS).map(kernel -> root + "." + kernel + "..").toArray(String[]::new);
    return noClasses()
        .that()
        .resideInAnyPackage(kernels)
        .should()
        .dependOnClassesThat(
            JavaClass.Predicates.resideInAPackage(root + "..")
                .and(JavaClass.Predicates.resideOutsideOfPackages(kernels)))
        .as("the shared kernels (platform, chain, qcow2, storage) use no other component");
  }

  static ArchRule entitiesKnowNoControlOrBoundary(String root) {
    return noClasses()
        .that()
        .resideInAPackage(root + "..entity..")
        .should()
        .dependOnClassesThat()
        .resideInAnyPackage(root + "..control..", root + "..boundary..")
        .as("entities use no control and no boundary");
  }

  static ArchRule controlKnowsNoBoundary(String root) {
    return noClasses()
        .that()
        .resideInAPackage(root + "..control..")
        .should()
        .dependOnClassesThat()
        .resideInAPackage(root + "..boundary..")
        .as("control uses no boundary");
  }

  @Test
  void chainAndQcow2UseNoJakartaApi() {
    chainAndQcow2UseNoJakarta(ROOT).check(MAIN);
  }

  @Test
  void theAgentUsesNoJakartaApi() {
    agentUsesNoJakarta(ROOT).check(MAIN);
  }

  @Test
  void theCommandLineUsesOnlyThePlainCore() {
    cliUsesOnlyThePlainCore(ROOT).check(MAIN);
  }

  @Test
  void onlyBoundariesAndPlatformUseJaxRs() {
    jaxRsOnlyInBoundariesAndPlatform(ROOT).check(MAIN);
  }

  @Test
  void componentsFormNoCycles() {
    noCyclesBetweenComponents(ROOT).check(MAIN);
  }

  @Test
  void sharedKernelsUseNoOtherComponent() {
    kernelsUseNoOtherComponent(ROOT).check(MAIN);
  }

  @Test
  void entitiesUseNoControlAndNoBoundary() {
    entitiesKnowNoControlOrBoundary(ROOT).check(MAIN);
  }

  @Test
  void controlUsesNoBoundary() {
    controlKnowsNoBoundary(ROOT).check(MAIN);
  }

  private static final String BROKEN_ROOT = "dev.voi.architecture.broken";
  private static final JavaClasses BROKEN = new ClassFileImporter().importPackages(BROKEN_ROOT);

  private static final Pattern ORIGIN = Pattern.compile("\\w+ <([^>]+)>");

  static Stream<Arguments> rulesAndTheirViolations() {
    return Stream.of(
        arguments(rule(ArchitectureTest::chainAndQcow2UseNoJakarta), "chain.UsesJakarta"),
        arguments(rule(ArchitectureTest::chainAndQcow2UseNoJakarta), "qcow2.UsesJakarta"),
        arguments(rule(ArchitectureTest::agentUsesNoJakarta), "agent.UsesJakarta"),
        arguments(rule(ArchitectureTest::cliUsesOnlyThePlainCore), "cli.UsesJakarta"),
        arguments(rule(ArchitectureTest::cliUsesOnlyThePlainCore), "cli.UsesTheServer"),
        arguments(
            rule(ArchitectureTest::jaxRsOnlyInBoundariesAndPlatform), "images.control.SpeaksHttp"),
        arguments(
            rule(ArchitectureTest::noCyclesBetweenComponents), "images.control.UsesTerminals"),
        arguments(
            rule(ArchitectureTest::noCyclesBetweenComponents), "terminals.control.UsesImages"),
        arguments(rule(ArchitectureTest::kernelsUseNoOtherComponent), "storage.UsesAComponent"),
        arguments(
            rule(ArchitectureTest::entitiesKnowNoControlOrBoundary),
            "terminals.entity.UsesControl"),
        arguments(
            rule(ArchitectureTest::entitiesKnowNoControlOrBoundary),
            "terminals.entity.UsesBoundary"),
        arguments(
            rule(ArchitectureTest::controlKnowsNoBoundary), "terminals.control.UsesBoundary"));
  }

  private static Named<Function<String, ArchRule>> rule(Function<String, ArchRule> rule) {
    return Named.of(rule.apply(BROKEN_ROOT).getDescription(), rule);
  }

  @ParameterizedTest(name = "{0} rejects {1}")
  @MethodSource("rulesAndTheirViolations")
  void everyRuleRejectsItsViolation(Function<String, ArchRule> rule, String violator) {
    EvaluationResult result = rule.apply(BROKEN_ROOT).evaluate(BROKEN);
    assertThat(result.hasViolation()).isTrue();
    assertThat(result.getFailureReport().getDetails())
        .anyMatch(detail -> detail.contains(BROKEN_ROOT + "." + violator));
  }

  @Test
  void theBrokenClassesBreakOnlyTheirRules() {
    // The compliant fixtures (an entity, a control class, a boundary speaking JAX-RS) pass every
    // rule: a rule reporting them would be too wide.
    Stream.of(
            ArchitectureTest.chainAndQcow2UseNoJakarta(BROKEN_ROOT),
            ArchitectureTest.agentUsesNoJakarta(BROKEN_ROOT),
            ArchitectureTest.cliUsesOnlyThePlainCore(BROKEN_ROOT),
            ArchitectureTest.jaxRsOnlyInBoundariesAndPlatform(BROKEN_ROOT),
            ArchitectureTest.noCyclesBetweenComponents(BROKEN_ROOT),
            ArchitectureTest.kernelsUseNoOtherComponent(BROKEN_ROOT),
            ArchitectureTest.entitiesKnowNoControlOrBoundary(BROKEN_ROOT),
            ArchitectureTest.controlKnowsNoBoundary(BROKEN_ROOT))
        .flatMap(rule -> rule.evaluate(BROKEN).getFailureReport().getDetails().stream())
        .map(ORIGIN::matcher)
        .filter(Matcher::lookingAt) // "Field <origin.field> has type <target> ..."
        .map(origin -> origin.group(1))
        .forEach(
            origin ->
                assertThat(origin)
                    .doesNotStartWith(BROKEN_ROOT + ".images.entity.Layer")
                    .doesNotStartWith(BROKEN_ROOT + ".terminals.control.Plain")
                    .doesNotStartWith(BROKEN_ROOT + ".terminals.boundary.Resource"));
  }
}
