package dev.voi.answers.entity;

import jakarta.persistence.Column;
import jakarta.persistence.Embedded;
import jakarta.persistence.Enumerated;
import jakarta.persistence.Id;
import jakarta.persistence.Version;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.sql.Types;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * The columns an entity maps, read from its own JPA annotations: what set-based SQL writes is
 * generated from this list (column names, types, values), so that a column added to the entity is
 * written by the per-row path (JPA) and by the set-based path alike, and a column cannot be written
 * by one and forgotten by the other. Ids and versions are left out (the database and the SQL own
 * them); embedded values are flattened, in field order.
 */
public final class MappedColumns {

  /** The SQL types the mapped fields use. */
  public enum SqlType {
    VARCHAR(Types.VARCHAR, "varchar"),
    INTEGER(Types.INTEGER, "int4"),
    BIGINT(Types.BIGINT, "int8"),
    TIMESTAMP(Types.TIMESTAMP_WITH_TIMEZONE, "timestamptz");

    /** The {@link java.sql.Types} code, for {@code setNull}. */
    public final int jdbcType;

    /** The PostgreSQL element type, for arrays. */
    public final String arrayElement;

    SqlType(int jdbcType, String arrayElement) {
      this.jdbcType = jdbcType;
      this.arrayElement = arrayElement;
    }
  }

  /**
   * One column.
   *
   * @param value the value to bind, from an entity: enum constants as their names, instants as
   *     {@link java.time.OffsetDateTime} in UTC, null as null
   */
  public record MappedColumn<T>(String name, SqlType type, Function<T, Object> value) {}

  private MappedColumns() {}

  /** The columns of an entity or embeddable class, ids and versions excluded. */
  public static <T> List<MappedColumn<T>> of(Class<T> type) {
    List<MappedColumn<T>> columns = new ArrayList<>();
    collect(type, entity -> entity, columns);
    return List.copyOf(columns);
  }

  private static <T> void collect(
      Class<?> type, Function<T, Object> owner, List<MappedColumn<T>> columns) {
    for (Field field : type.getDeclaredFields()) {
      if (Modifier.isStatic(field.getModifiers())
          || field.isAnnotationPresent(Id.class)
          || field.isAnnotationPresent(Version.class)) {
        continue;
      }
      field.setAccessible(true);
      Function<T, Object> read =
          entity -> {
            Object holder = owner.apply(entity);
            return holder == null ? null : get(field, holder);
          };
      if (field.isAnnotationPresent(Embedded.class)) {
        collect(field.getType(), read, columns);
        continue;
      }
      Column column = field.getAnnotation(Column.class);
      String name = column == null || column.name().isEmpty() ? field.getName() : column.name();
      columns.add(new MappedColumn<>(name, sqlType(field), read.andThen(MappedColumns::bindable)));
    }
  }

  private static SqlType sqlType(Field field) {
    Class<?> type = field.getType();
    if (type == String.class || field.isAnnotationPresent(Enumerated.class)) {
      return SqlType.VARCHAR;
    }
    if (type == int.class || type == Integer.class) {
      return SqlType.INTEGER;
    }
    if (type == long.class || type == Long.class) {
      return SqlType.BIGINT;
    }
    if (type == Instant.class) {
      return SqlType.TIMESTAMP;
    }
    throw new IllegalArgumentException(
        "no SQL type for " + field.getDeclaringClass().getSimpleName() + "." + field.getName());
  }

  private static Object bindable(Object value) {
    if (value instanceof Enum<?> constant) {
      return constant.name();
    }
    if (value instanceof Instant instant) {
      return instant.atOffset(ZoneOffset.UTC);
    }
    return value;
  }

  private static Object get(Field field, Object holder) {
    try {
      return field.get(holder);
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(field + " is not readable", e);
    }
  }
}
