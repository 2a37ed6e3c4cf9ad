package dev.voi.platform;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.h2.jdbcx.JdbcDataSource;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The one data source class named in {@code @DataSourceDefinition}: it picks the real driver by the
 * configured URL, because the annotation's {@code className} is fixed at compile time.
 *
 * <ul>
 *   <li>{@code jdbc:postgresql:…} — PostgreSQL, what production and the tests use;
 *   <li>{@code jdbc:h2:…} — an H2 database at that URL;
 *   <li>blank or {@value #EMBEDDED} — the embedded default: H2 in PostgreSQL mode under {@code
 *       <voi.data.dir>/db}, so that a newcomer can start the server with nothing installed.
 * </ul>
 *
 * The container's pool sets the properties through the setters below and calls {@link
 * #getConnection()}; pooling stays the container's job.
 *
 * <p>When {@code voi.db.jndi} names a JDBC resource of the server ({@link #setServerResource}),
 * nothing looks this data source up, and should anything try, it refuses rather than open an
 * embedded database or a second pool beside the server's.
 */
public class VoiDataSource implements DataSource {

  public static final String EMBEDDED = "embedded";
  private static final String H2_OPTIONS =
      ";MODE=PostgreSQL;DATABASE_TO_LOWER=TRUE;DEFAULT_NULL_ORDERING=HIGH;AUTO_SERVER=TRUE";

  private String url = EMBEDDED;
  private String user = "";
  private String password = "";
  private String dataDir = "./voi-data";
  private String serverResource = "";
  private volatile DataSource delegate;
  private PrintWriter logWriter;
  private int loginTimeout;

  /** The JDBC URL that an embedded database under {@code dataDir} is opened with. */
  public static String embeddedUrl(Path dataDir) {
    return "jdbc:h2:file:" + dataDir.toAbsolutePath().normalize().resolve("db/voi") + H2_OPTIONS;
  }

  /** True when the URL selects the embedded default. */
  public static boolean isEmbedded(String url) {
    return url == null || url.isBlank() || EMBEDDED.equals(url.trim());
  }

  public String getUrl() {
    return url;
  }

  public void setUrl(String url) {
    this.url = url;
    this.delegate = null;
  }

  public String getUser() {
    return user;
  }

  public void setUser(String user) {
    this.user = user;
    this.delegate = null;
  }

  public String getPassword() {
    return password;
  }

  public void setPassword(String password) {
    this.password = password;
    this.delegate = null;
  }

  public String getDataDir() {
    return dataDir;
  }

  public void setDataDir(String dataDir) {
    this.dataDir = dataDir;
    this.delegate = null;
  }

  public String getServerResource() {
    return serverResource;
  }

  /** The JNDI name of the server's resource in use instead ({@code voi.db.jndi}); blank: none. */
  public void setServerResource(String serverResource) {
    this.serverResource = serverResource;
    this.delegate = null;
  }

  DataSource delegate() throws SQLException {
    DataSource current = delegate;
    if (current == null) {
      current = create();
      delegate = current;
    }
    return current;
  }

  private DataSource create() throws SQLException {
    if (!isBlank(serverResource)) {
      throw new SQLException(
          "voi.db.jndi is set: the application's database is the server's resource "
              + serverResource.trim()
              + ", not its own data source");
    }
    String effective = isEmbedded(url) ? embeddedUrl(Path.of(dataDir)) : url.trim();
    if (effective.startsWith("jdbc:postgresql:")) {
      PGSimpleDataSource pg = new PGSimpleDataSource();
      pg.setURL(effective);
      if (!isBlank(user)) {
        pg.setUser(user);
      }
      if (!isBlank(password)) {
        pg.setPassword(password);
      }
      return pg;
    }
    if (effective.startsWith("jdbc:h2:")) {
      JdbcDataSource h2 = new JdbcDataSource();
      h2.setURL(effective);
      h2.setUser(isBlank(user) ? "sa" : user);
      h2.setPassword(password == null ? "" : password);
      return h2;
    }
    throw new SQLException(
        "voi.db.url must start with jdbc:postgresql: or jdbc:h2: (or be empty for the embedded"
            + " database), got: "
            + effective.replaceAll("password=[^&;]*", "password=***"));
  }

  private static boolean isBlank(String value) {
    return value == null || value.isBlank();
  }

  @Override
  public Connection getConnection() throws SQLException {
    return delegate().getConnection();
  }

  @Override
  public Connection getConnection(String username, String pass) throws SQLException {
    return delegate().getConnection(username, pass);
  }

  @Override
  public PrintWriter getLogWriter() {
    return logWriter;
  }

  @Override
  public void setLogWriter(PrintWriter out) {
    this.logWriter = out;
  }

  @Override
  public void setLoginTimeout(int seconds) {
    this.loginTimeout = seconds;
  }

  @Override
  public int getLoginTimeout() {
    return loginTimeout;
  }

  @Override
  public Logger getParentLogger() throws SQLFeatureNotSupportedException {
    throw new SQLFeatureNotSupportedException("no parent logger");
  }

  @Override
  public <T> T unwrap(Class<T> iface) throws SQLException {
    if (iface.isInstance(this)) {
      return iface.cast(this);
    }
    return delegate().unwrap(iface);
  }

  @Override
  public boolean isWrapperFor(Class<?> iface) throws SQLException {
    return iface.isInstance(this) || delegate().isWrapperFor(iface);
  }
}
