package dev.voi.images.boundary;

import dev.voi.chain.Checksum;
import dev.voi.chain.DigestField;
import dev.voi.chain.ImageName;
import dev.voi.chain.LayerState;
import dev.voi.images.control.DownloadGate;
import dev.voi.images.control.Lineage;
import dev.voi.images.entity.Layer;
import dev.voi.metrics.control.Meters;
import dev.voi.platform.Caller;
import dev.voi.platform.DirectOutput;
import dev.voi.platform.ImageAccess;
import dev.voi.platform.OpenTo;
import dev.voi.platform.ProblemType;
import dev.voi.storage.LayerStore;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Instance;
import jakarta.inject.Inject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HEAD;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.SecurityContext;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.MappedByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.Optional;
import java.util.function.LongConsumer;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/**
 * Layer files, addressed by checksum (depths repeat after a retire): single ranges, {@code
 * If-Range}, a strong ETag (the quoted SHA-256), {@code Repr-Digest}, constant memory.
 */
@Path("images/{name}/layers/{checksum}/content")
@ApplicationScoped
@OpenTo({Caller.ADMIN_ROLE, Caller.TERMINAL_ROLE})
public class LayerContentResource {

  // Below half a G1 region (1 MiB with small heaps): no humongous allocation per request.
  private static final int BUFFER = 256 * 1024;

  // Downloads send this much through the JAX-RS stream before going direct (its buffer is 8 KiB).
  private static final int HEAD = 64 * 1024;

  // Downloads map the file a GiB at a time and hand the transport 8 MiB slices of it.
  private static final long MAPPING = 1L << 30;
  private static final int SLICE = 8 * 1024 * 1024;

  @Inject Lineage lineage;
  @Inject LayerStore store;
  @Inject DownloadGate gate;
  @Inject Meters meters;
  @Inject Instance<ImageAccess> access;

  @GET
  @Operation(
      operationId = "downloadLayer",
      summary = "Download a layer file (Range, If-Range, If-None-Match)")
  @APIResponse(
      responseCode = "200",
      description = "The whole file",
      headers = {
        @Header(name = "ETag", required = true, description = "The quoted SHA-256 of the file"),
        @Header(
            name = "Repr-Digest",
            required = true,
            description = "sha-256=:<base64>: (RFC 9530)"),
        @Header(name = "Content-Disposition", required = true),
        @Header(name = "Accept-Ranges", required = true)
      },
      content =
          @Content(
              mediaType = "application/octet-stream",
              schema = @Schema(type = SchemaType.STRING, format = "binary")))
  @APIResponse(
      responseCode = "206",
      description = "The requested range (Range, If-Range)",
      headers = {
        @Header(name = "Content-Range", required = true),
        @Header(name = "ETag", required = true),
        @Header(name = "Repr-Digest", required = true),
        @Header(name = "Content-Disposition", required = true)
      },
      content =
          @Content(
              mediaType = "application/octet-stream",
              schema = @Schema(type = SchemaType.STRING, format = "binary")))
  @APIResponse(
      responseCode = "304",
      description = "If-None-Match matched",
      headers = @Header(name = "ETag", required = true))
  @APIResponse(responseCode = "400", description = "bad-request: the name or the checksum")
  @APIResponse(
      responseCode = "403",
      description = "forbidden: a terminal reading an image not assigned to it")
  @APIResponse(responseCode = "404", description = "not-found: no such layer")
  @APIResponse(responseCode = "410", description = "layer-quarantined, layer-file-missing")
  @APIResponse(
      responseCode = "416",
      description = "The range is outside the file",
      headers = @Header(name = "Content-Range", required = true, description = "bytes */<size>"))
  @APIResponse(
      responseCode = "503",
      description = "too-many-downloads",
      headers = @Header(name = "Retry-After", required = true))
  public Response get(
      @PathParam("name") String name,
      @PathParam("checksum") String checksum,
      @HeaderParam("Range") String range,
      @HeaderParam("If-Range") String ifRange,
      @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch,
      @Context SecurityContext security,
      @Context HttpServletRequest servletRequest) {
    Optional<DirectOutput> direct =
        DirectOutput.of(servletRequest.getAttribute(DirectOutput.RESPONSE_ATTRIBUTE));
    return answer(name, checksum, range, ifRange, ifNoneMatch, security, true, direct);
  }

  @HEAD
  @Operation(operationId = "headLayer", summary = "The headers of a layer download")
  @APIResponse(
      responseCode = "200",
      description = "The whole file",
      headers = {
        @Header(name = "ETag", required = true, description = "The quoted SHA-256 of the file"),
        @Header(
            name = "Repr-Digest",
            required = true,
            description = "sha-256=:<base64>: (RFC 9530)"),
        @Header(name = "Content-Disposition", required = true),
        @Header(name = "Accept-Ranges", required = true)
      },
      content =
          @Content(
              mediaType = "application/octet-stream",
              schema = @Schema(type = SchemaType.STRING, format = "binary")))
  @APIResponse(
      responseCode = "206",
      description = "The requested range (Range, If-Range)",
      headers = {
        @Header(name = "Content-Range", required = true),
        @Header(name = "ETag", required = true),
        @Header(name = "Repr-Digest", required = true),
        @Header(name = "Content-Disposition", required = true)
      },
      content =
          @Content(
              mediaType = "application/octet-stream",
              schema = @Schema(type = SchemaType.STRING, format = "binary")))
  @APIResponse(
      responseCode = "304",
      description = "If-None-Match matched",
      headers = @Header(name = "ETag", required = true))
  @APIResponse(responseCode = "400", description = "bad-request: the name or the checksum")
  @APIResponse(
      responseCode = "403",
      description = "forbidden: a terminal reading an image not assigned to it")
  @APIResponse(responseCode = "404", description = "not-found: no such layer")
  @APIResponse(responseCode = "410", description = "layer-quarantined, layer-file-missing")
  @APIResponse(
      responseCode = "416",
      description = "The range is outside the file",
      headers = @Header(name = "Content-Range", required = true, description = "bytes */<size>"))
  public Response head(
      @PathParam("name") String name,
      @PathParam("checksum") String checksum,
      @HeaderParam("Range") String range,
      @HeaderParam("If-Range") String ifRange,
      @HeaderParam(HttpHeaders.IF_NONE_MATCH) String ifNoneMatch,
      @Context SecurityContext security) {
    return answer(name, checksum, range, ifRange, ifNoneMatch, security, false, Optional.empty());
  }

  private Response answer(
      String name,
      String checksumHex,
      String rangeHeader,
      String ifRange,
      String ifNoneMatch,
      SecurityContext security,
      boolean withBody,
      Optional<DirectOutput> direct) {
    ImageName imageName = ImagesResource.validName(name);
    requireAccess(security, imageName);
    Checksum checksum;
    try {
      checksum = Checksum.parse("checksum", checksumHex);
    } catch (IllegalArgumentException e) {
      throw ProblemType.BAD_REQUEST.refuse(e.getMessage());
    }
    Layer layer =
        lineage
            .layer(imageName, checksum)
            .orElseThrow(
                () -> ProblemType.NOT_FOUND.refuse("no layer " + checksumHex + " in " + imageName));
    if (layer.state() == LayerState.QUARANTINED) {
      throw ProblemType.LAYER_QUARANTINED.refuse(
          "the stored file failed its integrity check; an administrator must republish it");
    }
    java.nio.file.Path file = store.layerFile(imageName, layer.fileName());
    long stored = storedSize(file);
    if (stored < 0) {
      throw ProblemType.LAYER_FILE_MISSING.refuse(
          "the file of this layer is not in the data directory");
    }
    if (stored != layer.size()) {
      // Never a short or overlong body under a Content-Length and an ETag that promise the file.
      throw ProblemType.LAYER_FILE_MISSING.refuse(
          "the file of this layer in the data directory is not the published one ("
              + stored
              + " bytes, published with "
              + layer.size()
              + "); the next audit quarantines it");
    }
    String etag = "\"" + layer.sha256Hex() + "\"";
    Response.ResponseBuilder common =
        Response.ok()
            .header(HttpHeaders.ETAG, etag)
            .header("Accept-Ranges", "bytes")
            .header("Repr-Digest", DigestField.of(Checksum.ofHex(layer.sha256Hex())))
            .header("Content-Disposition", "attachment; filename=\"" + layer.fileName() + "\"")
            .header(HttpHeaders.CACHE_CONTROL, "private, max-age=31536000, immutable");
    if (ifNoneMatch != null && matches(ifNoneMatch, etag)) {
      return common.status(Response.Status.NOT_MODIFIED).build();
    }
    long size = layer.size();
    ByteRange.Request request =
        ifRange == null || ifRange.trim().equals(etag)
            ? ByteRange.parse(rangeHeader, size)
            : new ByteRange.Whole();
    if (request instanceof ByteRange.Unsatisfiable) {
      return Response.status(416)
          .header("Content-Range", "bytes */" + size)
          .header(HttpHeaders.ETAG, etag)
          .build();
    }
    ByteRange range =
        request instanceof ByteRange.Part part ? part.range() : new ByteRange(0, size - 1);
    if (request instanceof ByteRange.Part) {
      common.status(206).header("Content-Range", range.contentRange(size));
    }
    common.type("application/octet-stream").header(HttpHeaders.CONTENT_LENGTH, range.length());
    if (!withBody || range.length() == 0) {
      return common.build();
    }
    if (!gate.tryEnter()) {
      throw ProblemType.TOO_MANY_DOWNLOADS
          .refuse("voi.download.max.concurrent downloads are running; retry later")
          .retryAfter(Duration.ofSeconds(10));
    }
    meters.downloadStarted();
    return common.entity(new Download(file, range, direct)).build();
  }

  /**
   * The body of a download: memory-mapped windows of the file handed to the container's transport
   * where it takes them ({@link DirectOutput}), else a copy through the servlet stream.
   */
  private final class Download implements StreamingOutput {
    private final java.nio.file.Path file;
    private final ByteRange range;
    private final Optional<DirectOutput> direct;

    Download(java.nio.file.Path file, ByteRange range, Optional<DirectOutput> direct) {
      this.file = file;
      this.range = range;
      this.direct = direct;
    }

    @Override
    public void write(OutputStream out) throws IOException {
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
        if (direct.isPresent() && range.length() > HEAD) {
          // The first bytes go through JAX-RS, which sends the status and headers with them
          // (it commits the response only once more than its own buffer was written); the
          // rest goes straight to the container's transport.
          ByteRange head = new ByteRange(range.first(), range.first() + HEAD - 1);
          copy(channel, head, out, meters::layerBytesServed);
          mapped(
              channel,
              new ByteRange(head.last() + 1, range.last()),
              direct.get(),
              meters::layerBytesServed);
        } else {
          copy(channel, range, out, meters::layerBytesServed);
        }
      } finally {
        meters.downloadEnded();
        gate.release();
      }
    }
  }

  /**
   * Hands the range to the transport in slices of one mapping per GiB of the immutable file:
   * nothing is reused (the transport may keep slices queued after a write returns), nothing is on
   * the heap, and a download holds a mapping per GiB at most, unmapped when collected.
   */
  static void mapped(FileChannel channel, ByteRange range, DirectOutput out, LongConsumer sent)
      throws IOException {
    long position = range.first();
    long remaining = range.length();
    if (channel.size() < position + remaining) {
      throw new IOException("the layer file ends before byte " + (position + remaining));
    }
    while (remaining > 0) {
      int mappedLength = (int) Math.min(MAPPING, remaining);
      MappedByteBuffer mapping = channel.map(FileChannel.MapMode.READ_ONLY, position, mappedLength);
      for (int offset = 0; offset < mappedLength; offset += SLICE) {
        int length = Math.min(SLICE, mappedLength - offset);
        out.write(mapping.slice(offset, length));
        sent.accept(length);
      }
      position += mappedLength;
      remaining -= mappedLength;
    }
  }

  static void copy(FileChannel channel, ByteRange range, OutputStream out, LongConsumer sent)
      throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(BUFFER);
    long position = range.first();
    long remaining = range.length();
    while (remaining > 0) {
      buffer.clear().limit((int) Math.min(BUFFER, remaining));
      int read = channel.read(buffer, position);
      if (read < 0) {
        throw new IOException("the layer file ended early at byte " + position);
      }
      out.write(buffer.array(), 0, read);
      sent.accept(read);
      position += read;
      remaining -= read;
    }
    out.flush();
  }

  private void requireAccess(SecurityContext security, ImageName imageName) {
    if (security.getUserPrincipal() instanceof Caller.Terminal terminal) {
      boolean allowed = access.stream().anyMatch(a -> a.mayRead(terminal.id(), imageName.value()));
      if (!allowed) {
        throw ProblemType.FORBIDDEN.refuse(
            "image " + imageName + " is not assigned to this terminal");
      }
    }
  }

  private static boolean matches(String ifNoneMatch, String etag) {
    for (String candidate : ifNoneMatch.split(",")) {
      String tag = candidate.trim();
      if (tag.equals("*") || tag.equals(etag) || tag.equals("W/" + etag)) {
        return true;
      }
    }
    return false;
  }

  /** The file's size now (one stat), or -1 when it is missing or not a regular file. */
  private static long storedSize(java.nio.file.Path file) {
    try {
      BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
      return attributes.isRegularFile() ? attributes.size() : -1;
    } catch (IOException e) {
      return -1;
    }
  }
}
