package dev.voi.soap.boundary;

import dev.voi.answers.control.AnswerJson.Representation;
import dev.voi.answers.control.Strategies;
import dev.voi.audits.boundary.AuditPageView;
import dev.voi.audits.boundary.AuditView;
import dev.voi.chain.ChainNode;
import dev.voi.chain.ImageName;
import dev.voi.chain.rollout.GroupName;
import dev.voi.images.boundary.ImageView;
import dev.voi.images.boundary.ImagesResource;
import dev.voi.images.boundary.LayerView;
import dev.voi.images.control.Lineage;
import dev.voi.images.entity.Image;
import dev.voi.images.entity.Layer;
import dev.voi.platform.Caller;
import dev.voi.platform.Page;
import dev.voi.platform.ProblemType;
import dev.voi.platform.TerminalId;
import dev.voi.rollouts.boundary.RolloutResource;
import dev.voi.rollouts.control.Rollouts;
import dev.voi.server.boundary.ServerResource;
import dev.voi.server.control.ServerIdentity;
import dev.voi.terminals.boundary.Callers;
import dev.voi.terminals.boundary.TerminalViews;
import dev.voi.terminals.boundary.TerminalsResource;
import dev.voi.terminals.boundary.Views;
import dev.voi.terminals.control.Registry;
import dev.voi.terminals.control.ReportParser;
import dev.voi.terminals.entity.Terminal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArrayBuilder;
import jakarta.json.JsonObject;
import jakarta.json.JsonReader;
import jakarta.servlet.http.HttpServletRequest;
import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The SOAP operations. Each calls the control classes its REST twin calls, with the same checks of
 * its arguments (the REST boundary's own parsers where it has them) and the same views, copied into
 * the contract's types; refusals leave through {@link SoapFaults}. The caller was authenticated by
 * {@link SoapAuthentication}.
 */
@ApplicationScoped
public class SoapEndpoint implements VoiUpdate {

  private static final String ADMIN = "admin";

  @Inject HttpServletRequest request;
  @Inject ServerIdentity identity;
  @Inject Lineage lineage;
  @Inject Registry registry;
  @Inject TerminalViews views;
  @Inject Strategies strategies;
  @Inject Rollouts rollouts;
  @Inject SoapAudits audits;

  @Override
  public Types.ServerInfo getServer() throws ProblemFault {
    return SoapFaults.call(
        () -> {
          admin();
          return Copies.of(
              new ServerResource.ServerInfo(
                  identity.serverUuid().toString(), ServerResource.version()),
              Types.ServerInfo.class);
        });
  }

  @Override
  public List<Types.Image> listImages() throws ProblemFault {
    return SoapFaults.call(
        () -> {
          admin();
          List<Types.Image> all = new ArrayList<>();
          String after = null;
          while (true) {
            List<Image> images = lineage.images(after, Page.MAX_LIMIT);
            for (Image image : images) {
              all.add(image(ImageView.of(image, lineage.chain(image), null)));
            }
            if (images.size() < Page.MAX_LIMIT) {
              return all;
            }
            after = images.get(images.size() - 1).name().value();
          }
        });
  }

  @Override
  public Types.Image getImage(String name) throws ProblemFault {
    return SoapFaults.call(
        () -> {
          admin();
          Image image = lineage.requireImage(ImagesResource.validName(name));
          return image(ImageView.of(image, lineage.chain(image), lineage.lineage(image)));
        });
  }

  @Override
  public Types.Image setPolicy(String name, String policy, Integer maxIncrementalLayers)
      throws ProblemFault {
    return SoapFaults.call(
        () -> {
          admin();
          Image image =
              lineage.changePolicy(ImagesResource.validName(name), policy, maxIncrementalLayers);
          return image(ImageView.of(image, lineage.chain(image), null));
        });
  }

  @Override
  public Types.Layer retireTip(String name) throws ProblemFault {
    return SoapFaults.call(
        () -> {
          admin();
          ImageName imageName = ImagesResource.validName(name);
          List<Layer> chain = lineage.chain(lineage.requireImage(imageName));
          if (chain.isEmpty()) {
            throw ProblemType.NOT_FOUND.refuse("image " + name + " has no published layer");
          }
          Layer tip = chain.get(chain.size() - 1);
          return Copies.of(LayerView.of(lineage.retire(imageName, tip.depth())), Types.Layer.class);
        });
  }

  @Override
  public Types.TerminalPage listTerminals(
      String image, String group, String strategy, String reason, Integer limit, String cursor)
      throws ProblemFault {
    return SoapFaults.call(
        () -> {
          admin();
          int size = Page.limit(limit);
          List<Terminal> terminals =
              registry.list(
                  TerminalsResource.filter(image, strategy, reason, group),
                  TerminalsResource.cursor(cursor, 0),
                  size + 1);
          List<Views.TerminalView> items = views.terminals(terminals.stream().limit(size).toList());
          String next = terminals.size() > size ? String.valueOf(items.get(size - 1).id()) : null;
          return Copies.of(new Views.TerminalPage(items, next), Types.TerminalPage.class);
        });
  }

  @Override
  public Types.Terminal getTerminal(String id) throws ProblemFault {
    return SoapFaults.call(
        () -> terminal(views.terminal(Callers.terminalId(SoapAuthentication.caller(request), id))));
  }

  @Override
  public Types.RegisteredTerminal registerTerminal(String name, String group) throws ProblemFault {
    return SoapFaults.call(
        () -> {
          admin();
          if (name == null) {
            throw ProblemType.BAD_REQUEST.refuse("name: required, a string");
          }
          Registry.Registered registered =
              registry.register(name, group == null ? GroupName.DEFAULT : group);
          Terminal terminal = registered.terminal();
          return Copies.of(
              new Views.Registered(
                  terminal.id(), terminal.name(), terminal.group(), registered.token()),
              Types.RegisteredTerminal.class);
        });
  }

  @Override
  public Types.Terminal assignImage(String terminalId, String image) throws ProblemFault {
    return SoapFaults.call(
        () -> {
          admin();
          TerminalId id = Callers.adminTerminalId(terminalId);
          registry.assign(id, Callers.imageName(image));
          return terminal(views.terminal(id));
        });
  }

  @Override
  public void unassignImage(String terminalId, String image) throws ProblemFault {
    SoapFaults.call(
        () -> {
          admin();
          TerminalId id = Callers.adminTerminalId(terminalId);
          if (!registry.unassign(id, Callers.imageName(image))) {
            throw ProblemType.NOT_FOUND.refuse("image " + image + " is not assigned to " + id);
          }
          return null;
        });
  }

  @Override
  public Types.Terminal setGroup(String terminalId, String group) throws ProblemFault {
    return SoapFaults.call(
        () -> {
          admin();
          TerminalId id = Callers.adminTerminalId(terminalId);
          if (group == null) {
            throw ProblemType.BAD_REQUEST.refuse("group: required, a string");
          }
          if (registry.moveToGroup(id, group)) {
            strategies.redecideTerminal(id, "group");
          }
          return terminal(views.terminal(id));
        });
  }

  @Override
  public Types.StrategyAnswer getAnswer(String terminalId, String image) throws ProblemFault {
    return SoapFaults.call(
        () -> {
          TerminalId id = Callers.terminalId(SoapAuthentication.caller(request), terminalId);
          ImageName name = Callers.imageName(image);
          Representation known = strategies.known(id, name.value());
          Representation current =
              known != null
                  ? known
                  : strategies
                      .current(id, name)
                      .orElseThrow(
                          () ->
                              ProblemType.NO_REPORT.refuse(
                                  "report the terminal's checksum list for "
                                      + image
                                      + " first: reportChain"));
          return answer(current);
        });
  }

  @Override
  public Types.StrategyAnswer reportChain(
      String terminalId, String image, List<Types.ChainNode> nodes) throws ProblemFault {
    return SoapFaults.call(
        () -> {
          Caller caller = SoapAuthentication.caller(request);
          if (!(caller instanceof Caller.Terminal)) {
            throw ProblemType.FORBIDDEN.refuse("This endpoint is not open to this caller");
          }
          TerminalId id = Callers.terminalId(caller, terminalId);
          ImageName name = Callers.imageName(image);
          strategies.requireAssigned(id, name);
          List<ChainNode> parsed;
          try {
            // The REST report's parser, so that a list is held to exactly the same rules.
            parsed = ReportParser.parse(reportBody(nodes));
          } catch (IllegalArgumentException e) {
            throw ProblemType.BAD_REQUEST.refuse(e.getMessage());
          }
          return answer(strategies.report(id, name, parsed));
        });
  }

  @Override
  public AuditView startAudit() throws ProblemFault {
    return SoapFaults.call(
        () -> {
          admin();
          return audits.start();
        });
  }

  @Override
  public AuditView getAuditRun(String id) throws ProblemFault {
    return SoapFaults.call(
        () -> {
          admin();
          return audits.get(id);
        });
  }

  @Override
  public AuditPageView listAuditRuns(Integer limit, String cursor) throws ProblemFault {
    return SoapFaults.call(
        () -> {
          admin();
          return audits.list(limit, cursor);
        });
  }

  @Override
  public Types.Rollout getRollout(String image) throws ProblemFault {
    return SoapFaults.call(
        () -> {
          admin();
          ImageName name = ImagesResource.validName(image);
          return rollout(name, rollouts.view(name));
        });
  }

  @Override
  public Types.Rollout advanceRollout(String image) throws ProblemFault {
    return SoapFaults.call(
        () -> {
          admin();
          ImageName name = ImagesResource.validName(image);
          return rollout(name, rollouts.advance(name, ADMIN));
        });
  }

  @Override
  public Types.Rollout haltRollout(String image) throws ProblemFault {
    return SoapFaults.call(
        () -> {
          admin();
          ImageName name = ImagesResource.validName(image);
          return rollout(name, rollouts.halt(name, ADMIN));
        });
  }

  // ---------------------------------------------------------------- helpers

  /** Admin operations answer 403 to terminals, as REST's role check does. */
  private void admin() {
    if (!(SoapAuthentication.caller(request) instanceof Caller.Admin)) {
      throw ProblemType.FORBIDDEN.refuse("This endpoint is not open to this caller");
    }
  }

  private static Types.Image image(ImageView view) {
    return Copies.of(view, Types.Image.class);
  }

  private static Types.Terminal terminal(Views.TerminalView view) {
    return Copies.of(view, Types.Terminal.class);
  }

  private static Types.Rollout rollout(ImageName image, Rollouts.View view) {
    return Copies.of(RolloutResource.view(image, view), Types.Rollout.class);
  }

  /** The stored answer's JSON (the bytes REST sends), as the contract's type. */
  private static Types.StrategyAnswer answer(Representation answer) {
    try (JsonReader reader = Json.createReader(new ByteArrayInputStream(answer.body()))) {
      return Copies.of(reader.readObject(), Types.StrategyAnswer.class);
    }
  }

  /** The nodes as the REST report's body {@code {"nodes": [{head, tail}…]}}. */
  private static byte[] reportBody(List<Types.ChainNode> nodes) {
    JsonArrayBuilder array = Json.createArrayBuilder();
    for (Types.ChainNode node : nodes == null ? List.<Types.ChainNode>of() : nodes) {
      var item = Json.createObjectBuilder();
      if (node == null || node.head == null) {
        item.addNull("head");
      } else {
        item.add("head", node.head);
      }
      if (node == null || node.tail == null) {
        item.addNull("tail");
      } else {
        item.add("tail", node.tail);
      }
      array.add(item);
    }
    JsonObject body = Json.createObjectBuilder().add("nodes", array).build();
    return body.toString().getBytes(StandardCharsets.UTF_8);
  }
}
