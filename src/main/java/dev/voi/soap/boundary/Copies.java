package dev.voi.soap.boundary;

import jakarta.json.JsonArray;
import jakarta.json.JsonNumber;
import jakarta.json.JsonObject;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.List;

/**
 * Copies a REST view (a record, or the JSON of a stored answer) into its {@link Types} twin, member
 * by member and by name, so that a SOAP result carries exactly what the REST answer does. A member
 * the twin does not name is a programming error, found by the SOAP tests on the first call.
 */
final class Copies {

  private Copies() {}

  /** The twin of a REST view record. */
  static <T> T of(Record view, Class<T> type) {
    if (view == null) {
      return null;
    }
    T target = instance(type);
    for (RecordComponent component : view.getClass().getRecordComponents()) {
      Field field = field(type, component.getName());
      Object value;
      try {
        value = component.getAccessor().invoke(view);
      } catch (ReflectiveOperationException e) {
        throw new IllegalStateException(e);
      }
      set(target, field, value);
    }
    return target;
  }

  /** The twin of a JSON object (a stored strategy answer). */
  static <T> T of(JsonObject json, Class<T> type) {
    T target = instance(type);
    for (var member : json.entrySet()) {
      set(target, field(type, member.getKey()), member.getValue());
    }
    return target;
  }

  private static void set(Object target, Field field, Object value) {
    try {
      field.set(target, convert(value, field.getType(), field.getGenericType()));
    } catch (IllegalAccessException e) {
      throw new IllegalStateException(e);
    }
  }

  private static Object convert(Object value, Class<?> type, Type generic) {
    if (value == null || value == JsonValue.NULL) {
      return null;
    }
    if (type == List.class) {
      Type element = ((ParameterizedType) generic).getActualTypeArguments()[0];
      List<Object> list = new ArrayList<>();
      Iterable<?> items = value instanceof JsonArray array ? array : (List<?>) value;
      for (Object item : items) {
        list.add(convert(item, (Class<?>) element, element));
      }
      return list;
    }
    if (value instanceof Record record) {
      return of(record, type);
    }
    if (value instanceof JsonObject object) {
      return of(object, type);
    }
    if (value instanceof JsonString text) {
      return text.getString();
    }
    if (value instanceof JsonNumber number) {
      return type == int.class || type == Integer.class
          ? (Object) number.intValueExact()
          : type == double.class || type == Double.class
              ? (Object) number.doubleValue()
              : (Object) number.longValueExact();
    }
    if (value == JsonValue.TRUE || value == JsonValue.FALSE) {
      return value == JsonValue.TRUE;
    }
    if (value instanceof Enum<?> constant) {
      return constant.name();
    }
    return value;
  }

  private static Field field(Class<?> type, String name) {
    try {
      Field field = type.getField(name);
      if (Modifier.isStatic(field.getModifiers())) {
        throw new NoSuchFieldException(name);
      }
      return field;
    } catch (NoSuchFieldException e) {
      throw new IllegalStateException(type.getSimpleName() + " has no member " + name, e);
    }
  }

  private static <T> T instance(Class<T> type) {
    try {
      return type.getDeclaredConstructor().newInstance();
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException(e);
    }
  }
}
