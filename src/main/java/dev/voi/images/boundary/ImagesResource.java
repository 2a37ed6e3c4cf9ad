package dev.voi.images.boundary;

import dev.voi.chain.Checksum;
import dev.voi.chain.DigestField;
import dev.voi.chain.ImageName;
import dev.voi.images.control.DigestAfterBody;
import dev.voi.images.control.Lineage;
import dev.voi.images.control.PublishKind;
import dev.voi.images.control.Publisher;
import dev.voi.images.control.Upload;
import dev.voi.images.entity.Image;
import dev.voi.images.entity.Layer;
import dev.voi.platform.Page;
import dev.voi.platform.ProblemType;
import dev.voi.platform.StrictJson;
import dev.voi.platform.Text;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.json.JsonObject;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.HeaderParam;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.PUT;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.util.Collections;
import java.util.Enumeration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalInt;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.enums.SchemaType;
import org.eclipse.microprofile.openapi.annotations.headers.Header;
import org.eclipse.microprofile.openapi.annotations.media.Content;
import org.eclipse.microprofile.openapi.annotations.media.Schema;
import org.eclipse.microprofile.openapi.annotations.parameters.Parameter;
import org.eclipse.microprofile.openapi.annotations.parameters.RequestBody;
import org.eclipse.microprofile.openapi.annotations.responses.APIResponse;

/** Image lineages: publishing bases and diffs, reading, retiring, the update policy (admin). */
@Path("images")
@ApplicationScoped
@Produces(MediaType.APPLICATION_JSON)
public class ImagesResource {

  static final int MAX_NOTE = 1000;

  static final String CONTENT_DIGEST = "Content-Digest";

  private static final String DIGEST_DESCRIPTION =
      "sha256:<64 lowercase hex>: the SHA-256 the body must have, named before it (the server"
          + " then stamps and hashes the published file while the body arrives)";

  private static final String TRAILER_DESCRIPTION =
      "Content-Digest: the chunked body ends with a Content-Digest trailer, sha-256=:<base64>:"
          + " (RFC 9530), the SHA-256 the body must have, sent after it; refused (400) when it"
          + " does not come or differs from the body or from digest=";

  @Inject Lineage lineage;
  @Inject Publisher publisher;

  @POST
  @Consumes(MediaType.WILDCARD)
  @Operation(
      operationId = "createImage",
      summary = "Create an image from a base qcow2 file (no backing file) sent as the body")
  @APIResponse(
      responseCode = "201",
      description = "Created: the image, Location is its URL",
      headers =
          @Header(name = "Location", required = true, schema = @Schema(type = SchemaType.STRING)),
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = ImageView.class)))
  @APIResponse(
      responseCode = "400",
      description =
          "bad-request (name, version, parent, digest, note; the Content-Digest trailer missing,"
              + " malformed, or not the body's), not-qcow2")
  @APIResponse(responseCode = "413", description = "upload-too-large")
  @APIResponse(
      responseCode = "422",
      description =
          "qcow2-layout-refused, qcow2-damaged, virtual-size-shrinks, base-has-backing-file,"
              + " diff-without-backing-file")
  @APIResponse(responseCode = "507", description = "insufficient-storage")
  @APIResponse(
      responseCode = "409",
      description = "image-exists, file-locked (the same upload is being received)")
  public Response createImage(
      @Parameter(required = true, description = "The image name") @QueryParam("name") String name,
      @QueryParam("version") String version,
      @Parameter(description = DIGEST_DESCRIPTION) @QueryParam("digest") String digest,
      @QueryParam("note") String note,
      @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength,
      @Parameter(description = TRAILER_DESCRIPTION) @HeaderParam("Trailer") String trailer,
      @Context HttpServletRequest request,
      @Context UriInfo uriInfo,
      @RequestBody(
              required = true,
              description = "The qcow2 file",
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_OCTET_STREAM,
                      schema = @Schema(type = SchemaType.STRING, format = "binary")))
          InputStream body)
      throws IOException {
    Upload upload =
        upload(PublishKind.NEW_IMAGE, name, version, null, digest, note, contentLength, request);
    Layer layer = publisher.publish(upload, body);
    Image image = lineage.requireImage(layer.image().name());
    return Response.created(
            uriInfo.getBaseUriBuilder().path("images").path(image.name().value()).build())
        .entity(ImageView.of(image, lineage.chain(image), lineage.lineage(image)))
        .build();
  }

  @POST
  @Path("{name}/base")
  @Consumes(MediaType.WILDCARD)
  @Operation(
      operationId = "publishBase",
      summary = "Publish a new base (the template was rebuilt): the current chain retires")
  @APIResponse(
      responseCode = "201",
      description = "Published: the layer, Location is its content URL",
      headers =
          @Header(name = "Location", required = true, schema = @Schema(type = SchemaType.STRING)),
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = LayerView.class)))
  @APIResponse(
      responseCode = "400",
      description =
          "bad-request (name, version, parent, digest, note; the Content-Digest trailer missing,"
              + " malformed, or not the body's), not-qcow2")
  @APIResponse(responseCode = "413", description = "upload-too-large")
  @APIResponse(
      responseCode = "422",
      description =
          "qcow2-layout-refused, qcow2-damaged, virtual-size-shrinks, base-has-backing-file,"
              + " diff-without-backing-file")
  @APIResponse(responseCode = "507", description = "insufficient-storage")
  @APIResponse(responseCode = "404", description = "not-found: no such image")
  @APIResponse(responseCode = "409", description = "already-published, file-locked")
  public Response newBase(
      @PathParam("name") String name,
      @QueryParam("version") String version,
      @Parameter(description = DIGEST_DESCRIPTION) @QueryParam("digest") String digest,
      @QueryParam("note") String note,
      @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength,
      @Parameter(description = TRAILER_DESCRIPTION) @HeaderParam("Trailer") String trailer,
      @Context HttpServletRequest request,
      @Context UriInfo uriInfo,
      @RequestBody(
              required = true,
              description = "The qcow2 file",
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_OCTET_STREAM,
                      schema = @Schema(type = SchemaType.STRING, format = "binary")))
          InputStream body)
      throws IOException {
    Upload upload =
        upload(PublishKind.NEW_BASE, name, version, null, digest, note, contentLength, request);
    return created(publisher.publish(upload, body), uriInfo);
  }

  @POST
  @Path("{name}/layers")
  @Consumes(MediaType.WILDCARD)
  @Operation(
      operationId = "publishDiff",
      summary = "Publish a diff qcow2 built on the current tip (parent = the tip's checksum)")
  @APIResponse(
      responseCode = "201",
      description = "Published: the layer, Location is its content URL",
      headers =
          @Header(name = "Location", required = true, schema = @Schema(type = SchemaType.STRING)),
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = LayerView.class)))
  @APIResponse(
      responseCode = "400",
      description =
          "bad-request (name, version, parent, digest, note; the Content-Digest trailer missing,"
              + " malformed, or not the body's), not-qcow2")
  @APIResponse(responseCode = "413", description = "upload-too-large")
  @APIResponse(
      responseCode = "422",
      description =
          "qcow2-layout-refused, qcow2-damaged, virtual-size-shrinks, base-has-backing-file,"
              + " diff-without-backing-file")
  @APIResponse(responseCode = "507", description = "insufficient-storage")
  @APIResponse(responseCode = "404", description = "not-found: no such image")
  @APIResponse(
      responseCode = "409",
      description = "stale-or-wrong-parent, already-published, file-locked")
  public Response newDiff(
      @PathParam("name") String name,
      @QueryParam("version") String version,
      @Parameter(required = true, description = "The checksum of the tip the diff was built on")
          @QueryParam("parent")
          String parent,
      @Parameter(description = DIGEST_DESCRIPTION) @QueryParam("digest") String digest,
      @QueryParam("note") String note,
      @HeaderParam(HttpHeaders.CONTENT_LENGTH) String contentLength,
      @Parameter(description = TRAILER_DESCRIPTION) @HeaderParam("Trailer") String trailer,
      @Context HttpServletRequest request,
      @Context UriInfo uriInfo,
      @RequestBody(
              required = true,
              description = "The qcow2 file",
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_OCTET_STREAM,
                      schema = @Schema(type = SchemaType.STRING, format = "binary")))
          InputStream body)
      throws IOException {
    if (parent == null || parent.isEmpty()) {
      throw ProblemType.BAD_REQUEST.refuse(
          "parent is required: the checksum of the tip the diff was built on");
    }
    Upload upload =
        upload(PublishKind.DIFF, name, version, parent, digest, note, contentLength, request);
    return created(publisher.publish(upload, body), uriInfo);
  }

  @GET
  @Operation(operationId = "listImages", summary = "List the images, by name")
  @APIResponse(
      responseCode = "200",
      description = "A page of images (without their layers)",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = ImagePage.class)))
  @APIResponse(responseCode = "400", description = "bad-request: limit or cursor")
  public Page<ImageView> list(
      @QueryParam("limit") Integer limit, @QueryParam("cursor") String cursor) {
    int size = Page.limit(limit);
    List<Image> images = lineage.images(cursor, size + 1);
    List<ImageView> items =
        images.stream()
            .limit(size)
            .map(image -> ImageView.of(image, lineage.chain(image), null))
            .toList();
    String next = images.size() > size ? items.get(size - 1).name() : null;
    return new Page<>(items, next);
  }

  @GET
  @Path("{name}")
  @Operation(operationId = "getImage", summary = "One image with every layer ever published")
  @APIResponse(
      responseCode = "200",
      description = "The image",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = ImageView.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the name")
  @APIResponse(responseCode = "404", description = "not-found")
  public ImageView get(@PathParam("name") String name) {
    Image image = lineage.requireImage(validName(name));
    return ImageView.of(image, lineage.chain(image), lineage.lineage(image));
  }

  @DELETE
  @Path("{name}/layers/{depth}")
  @Operation(
      operationId = "retireLayer",
      summary = "Retire the tip (its file stays downloadable for terminals mid-update)")
  @APIResponse(
      responseCode = "200",
      description = "The retired layer",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = LayerView.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the name")
  @APIResponse(responseCode = "404", description = "not-found: no such image or layer")
  @APIResponse(responseCode = "409", description = "not-the-tip, base-not-retirable")
  public LayerView retire(@PathParam("name") String name, @PathParam("depth") int depth) {
    return LayerView.of(lineage.retire(validName(name), depth));
  }

  static final int MAX_POLICY_BODY = 64 * 1024;

  /** The body of a policy change, as documented; it is read strictly by {@link StrictJson}. */
  @Schema(name = "PolicyChange", requiredProperties = "policy")
  public record PolicyChange(
      @Schema(enumeration = {"patent", "catch-up"}) String policy,
      @Schema(
              minimum = "1",
              maximum = "4096",
              nullable = true,
              description = "Absent: the image's current value")
          Integer maxIncrementalLayers) {}

  /** A page of images, as documented ({@link Page} of {@link ImageView}). */
  @Schema(
      name = "ImagePage",
      requiredProperties = {"items", "next"})
  public record ImagePage(
      List<ImageView> items,
      @Schema(nullable = true, description = "The cursor of the next page, null on the last")
          String next) {}

  @PUT
  @Path("{name}/policy")
  @Consumes(MediaType.APPLICATION_JSON)
  @Operation(
      operationId = "setImagePolicy",
      summary = "Set the image's update policy: patent or catch-up")
  @APIResponse(
      responseCode = "200",
      description = "The image with its new policy",
      content =
          @Content(
              mediaType = MediaType.APPLICATION_JSON,
              schema = @Schema(implementation = ImageView.class)))
  @APIResponse(responseCode = "400", description = "bad-request: the name or the body")
  @APIResponse(responseCode = "404", description = "not-found")
  @APIResponse(responseCode = "413", description = "body-too-large")
  @APIResponse(responseCode = "415", description = "the body is not application/json")
  public ImageView policy(
      @PathParam("name") String name,
      @RequestBody(
              required = true,
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON,
                      schema = @Schema(implementation = PolicyChange.class)))
          InputStream body) {
    JsonObject change = StrictJson.readObject(body, MAX_POLICY_BODY);
    OptionalInt requested =
        StrictJson.integer(change, "maxIncrementalLayers", Integer.MIN_VALUE, Integer.MAX_VALUE);
    Image image =
        lineage.changePolicy(
            validName(name),
            StrictJson.string(change, "policy").orElse(null),
            requested.isPresent() ? requested.getAsInt() : null);
    return ImageView.of(image, lineage.chain(image), null);
  }

  private static Response created(Layer layer, UriInfo uriInfo) {
    LayerView view = LayerView.of(layer);
    URI location =
        uriInfo
            .getBaseUriBuilder()
            .path("images/{name}/layers/{checksum}/content")
            .build(layer.image().name().value(), layer.checksumHex());
    return Response.created(location).entity(view).build();
  }

  /** Parses an image name from the request: the one place a name's text becomes an image name. */
  public static ImageName validName(String name) {
    if (!ImageName.isValid(name)) {
      throw ProblemType.BAD_REQUEST.refuse(
          "an image name is 1-128 characters of A-Z a-z 0-9 . _ - and does not start with '.'");
    }
    return ImageName.of(name);
  }

  private static Upload upload(
      PublishKind kind,
      String name,
      String version,
      String parent,
      String digest,
      String note,
      String contentLength,
      HttpServletRequest request) {
    Long parsedVersion = null;
    if (version != null) {
      try {
        parsedVersion = Long.parseLong(version);
      } catch (NumberFormatException e) {
        throw ProblemType.BAD_REQUEST.refuse("version must be a whole number from 0 to 2^63-1");
      }
      if (parsedVersion < 0) {
        throw ProblemType.BAD_REQUEST.refuse("version must be a whole number from 0 to 2^63-1");
      }
    }
    Checksum parsedParent = null;
    if (parent != null) {
      parsedParent = checksum("parent", parent);
    }
    Checksum expected = null;
    if (digest != null) {
      if (!digest.startsWith("sha256:")) {
        throw ProblemType.BAD_REQUEST.refuse("digest must be sha256:<64 lowercase hex characters>");
      }
      expected = checksum("digest", digest.substring("sha256:".length()));
    }
    Text.requireFreeText("note", note, MAX_NOTE);
    long length = -1;
    if (contentLength != null) {
      try {
        length = Long.parseLong(contentLength.trim());
      } catch (NumberFormatException e) {
        throw ProblemType.BAD_REQUEST.refuse("Content-Length is not a number");
      }
    }
    return new Upload(
        kind,
        validName(name),
        parsedVersion,
        parsedParent,
        expected,
        note,
        length,
        digestTrailer(announcesDigest(request.getHeaders("Trailer")), length, request));
  }

  /**
   * Whether the {@code Trailer} header fields (one or several lines, each a list) name {@code
   * Content-Digest}.
   */
  static boolean announcesDigest(Enumeration<String> trailer) {
    if (trailer == null) {
      return false;
    }
    for (String line : Collections.list(trailer)) {
      for (String field : line.split(",")) {
        if (field.strip().equalsIgnoreCase(CONTENT_DIGEST)) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * The {@code Content-Digest} trailer of a chunked upload (docs/design.md §4), read once the body
   * has ended. An announced one must come; one that comes unannounced is checked all the same (a
   * digest the client sent is never ignored). A body with a {@code Content-Length} cannot carry
   * trailers, so announcing one there is refused before the body is read, and so is a {@code
   * Content-Digest} among the header fields: the container merges trailer fields into the header
   * fields, so one before the body could pass for the trailer, and a digest known before the body
   * has its place in the URL.
   */
  private static DigestAfterBody digestTrailer(
      boolean announced, long contentLength, HttpServletRequest request) {
    if (request.getHeader(CONTENT_DIGEST) != null) {
      throw ProblemType.BAD_REQUEST.refuse(
          "Content-Digest goes in a trailer after a chunked body (announced by Trailer:"
              + " Content-Digest); a digest known before the body goes in the URL, digest=");
    }
    if (announced && contentLength >= 0) {
      throw ProblemType.BAD_REQUEST.refuse(
          "the Trailer header announces Content-Digest, but only a chunked body"
              + " (Transfer-Encoding: chunked) carries trailers, not one with a Content-Length");
    }
    return () -> {
      String value = trailerField(request, CONTENT_DIGEST);
      if (value == null) {
        if (announced) {
          throw ProblemType.BAD_REQUEST.refuse(
              "the Content-Digest trailer announced by the Trailer header did not come after the"
                  + " body (a proxy on the way may drop request trailers: name the digest in the"
                  + " URL instead, digest=); nothing was kept");
        }
        return Optional.empty();
      }
      try {
        return Optional.of(DigestField.sha256(value));
      } catch (IllegalArgumentException e) {
        throw ProblemType.BAD_REQUEST.refuse(e.getMessage() + "; nothing was kept");
      }
    };
  }

  /**
   * A trailer field of a request whose body was read to its end, or null. Several field lines of
   * the name are one list (RFC 9110 §5.3): the container's trailer map keeps only the first, so the
   * lines are read from the header fields it merged them into (none came before the body, {@link
   * #digestTrailer}).
   */
  private static String trailerField(HttpServletRequest request, String name) {
    if (!request.isTrailerFieldsReady()) {
      return null;
    }
    boolean present = false;
    for (String field : request.getTrailerFields().keySet()) {
      present |= field.equalsIgnoreCase(name);
    }
    if (!present) {
      return null;
    }
    List<String> lines = Collections.list(request.getHeaders(name));
    return lines.isEmpty()
        ? request.getTrailerFields().get(name.toLowerCase(Locale.ROOT))
        : String.join(", ", lines);
  }

  private static Checksum checksum(String field, String hex) {
    try {
      return Checksum.parse(field, hex);
    } catch (IllegalArgumentException e) {
      throw ProblemType.BAD_REQUEST.refuse(e.getMessage());
    }
  }
}
