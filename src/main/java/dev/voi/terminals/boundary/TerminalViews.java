package dev.voi.terminals.boundary;

import dev.voi.answers.control.TargetChains;
import dev.voi.platform.TerminalId;
import dev.voi.terminals.control.LastSeen;
import dev.voi.terminals.control.Registry;
import dev.voi.terminals.entity.AssignedImage;
import dev.voi.terminals.entity.Terminal;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.List;
import java.util.Map;

/**
 * Builds terminal views: the row, the moment last seen (written or not yet) and the images, each
 * with the terminal's wave in its rollout.
 */
@ApplicationScoped
public class TerminalViews {

  @Inject Registry registry;
  @Inject LastSeen lastSeen;
  @Inject TargetChains targets;

  public Views.TerminalView terminal(TerminalId terminalId) {
    Terminal terminal = registry.require(terminalId);
    return view(terminal, registry.images(terminalId));
  }

  public List<Views.TerminalView> terminals(List<Terminal> terminals) {
    Map<Long, List<AssignedImage>> images =
        registry.images(terminals.stream().map(Terminal::id).toList());
    return terminals.stream()
        .map(terminal -> view(terminal, images.getOrDefault(terminal.id(), List.of())))
        .toList();
  }

  private Views.TerminalView view(Terminal terminal, List<AssignedImage> images) {
    return Views.TerminalView.of(
        terminal,
        lastSeen.latest(terminal.id(), terminal.lastSeen()),
        images,
        image ->
            targets
                .of(image)
                .map(chain -> TargetChains.target(chain, terminal.group()).wave())
                .orElse(0));
  }
}
