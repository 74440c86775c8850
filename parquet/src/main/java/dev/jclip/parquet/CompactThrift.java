package dev.jclip.parquet;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Thrift's compact protocol, which Parquet uses for its footer and page headers: read into a generic
 * tree (a struct is a map from field id to value; integers are {@code Long}, strings and binaries
 * {@code byte[]}, lists {@code List}), and written field by field. Only what Parquet's structures use.
 */
final class CompactThrift {
    static final int STOP = 0, TRUE = 1, FALSE = 2, BYTE = 3, I16 = 4, I32 = 5, I64 = 6, DOUBLE = 7, BINARY = 8,
            LIST = 9, SET = 10, MAP = 11, STRUCT = 12;
    /** Deeper nesting than Parquet's structures ever have means a corrupt or hostile footer. */
    private static final int MAX_DEPTH = 32;

    /** A struct read from the wire: field id to value. */
    record Struct(Map<Integer, Object> fields) {
        long i64(int id) {
            Object v = fields.get(id);
            if (!(v instanceof Long l)) {
                throw new IllegalStateException("field " + id + " missing or not an integer");
            }
            return l;
        }

        int i32(int id) {
            return Math.toIntExact(i64(id));
        }

        int i32(int id, int absent) {
            return fields.containsKey(id) ? i32(id) : absent;
        }

        boolean has(int id) {
            return fields.containsKey(id);
        }

        String string(int id) {
            Object v = fields.get(id);
            return v instanceof byte[] b ? new String(b, StandardCharsets.UTF_8) : null;
        }

        Struct struct(int id) {
            Object v = fields.get(id);
            return v instanceof Struct s ? s : null;
        }

        @SuppressWarnings("unchecked")
        <T> List<T> list(int id) {
            Object v = fields.get(id);
            if (!(v instanceof List<?> l)) {
                throw new IllegalStateException("field " + id + " missing or not a list");
            }
            return (List<T>) l;
        }
    }

    /** Reads from a byte array; {@link #position()} tells how many bytes a struct took. */
    static final class Reader {
        private final byte[] b;
        private int pos;
        private final int end;

        Reader(byte[] b, int offset, int end) {
            this.b = b;
            this.pos = offset;
            this.end = end;
        }

        int position() {
            return pos;
        }

        Struct struct() {
            return struct(0);
        }

        private Struct struct(int depth) {
            if (depth > MAX_DEPTH) {
                throw new IllegalStateException("structures nested deeper than " + MAX_DEPTH);
            }
            Map<Integer, Object> fields = new HashMap<>();
            int last = 0;
            while (true) {
                int header = u8();
                int type = header & 0x0F;
                if (type == STOP) {
                    return new Struct(fields);
                }
                int delta = header >>> 4;
                int id = delta != 0 ? last + delta : (int) zigzag(varint());
                last = id;
                Object value = type == TRUE ? Boolean.TRUE : type == FALSE ? Boolean.FALSE : value(type, depth);
                fields.put(id, value);
            }
        }

        private Object value(int type, int depth) {
            return switch (type) {
                case BYTE -> (long) (byte) u8();
                case I16, I32, I64 -> zigzag(varint());
                case DOUBLE -> {
                    need(8);
                    long bits = 0;
                    for (int i = 0; i < 8; i++) {
                        bits |= (long) (b[pos++] & 0xFF) << (8 * i);
                    }
                    yield Double.longBitsToDouble(bits);
                }
                case BINARY -> {
                    int n = Math.toIntExact(varint());
                    need(n);
                    byte[] v = new byte[n];
                    System.arraycopy(b, pos, v, 0, n);
                    pos += n;
                    yield v;
                }
                case LIST, SET -> {
                    int header = u8();
                    int size = header >>> 4;
                    if (size == 15) {
                        size = Math.toIntExact(varint());
                    }
                    int elem = header & 0x0F;
                    need(size);   // every element takes at least a byte
                    List<Object> list = new ArrayList<>(size);
                    for (int i = 0; i < size; i++) {
                        list.add(elem == TRUE || elem == FALSE ? (Object) (u8() == TRUE) : value(elem, depth + 1));
                    }
                    yield list;
                }
                case MAP -> {
                    int size = Math.toIntExact(varint());
                    if (size > 0) {
                        int kv = u8();
                        for (int i = 0; i < size; i++) {
                            value(kv >>> 4, depth + 1);
                            value(kv & 0x0F, depth + 1);
                        }
                    }
                    yield Map.of();   // Parquet's structures hold no maps jclip needs
                }
                case STRUCT -> struct(depth + 1);
                default -> throw new IllegalStateException("unknown field type " + type);
            };
        }

        private int u8() {
            need(1);
            return b[pos++] & 0xFF;
        }

        private long varint() {
            long v = 0;
            for (int shift = 0; shift < 64; shift += 7) {
                int x = u8();
                v |= (long) (x & 0x7F) << shift;
                if ((x & 0x80) == 0) {
                    return v;
                }
            }
            throw new IllegalStateException("a variable-length integer longer than 10 bytes");
        }

        private void need(int n) {
            if (n < 0 || n > end - pos) {
                throw new IllegalStateException("ends early");
            }
        }

        private static long zigzag(long n) {
            return (n >>> 1) ^ -(n & 1);
        }
    }

    /** Writes one struct at a time; fields must be written in increasing id order. */
    static final class Writer {
        private final ByteArrayOutputStream out = new ByteArrayOutputStream();
        private final int[] lastId = new int[MAX_DEPTH];
        private int depth;

        Writer i32(int id, long v) {
            return integer(id, I32, v);
        }

        Writer i64(int id, long v) {
            return integer(id, I64, v);
        }

        Writer string(int id, String s) {
            field(id, BINARY);
            binary(s.getBytes(StandardCharsets.UTF_8));
            return this;
        }

        /** Starts a struct field; end it with {@link #end()}. */
        Writer beginStruct(int id) {
            field(id, STRUCT);
            lastId[++depth] = 0;
            return this;
        }

        /** Starts a list of {@code size} structs; each is begun with {@link #beginElement()} and ended with {@link #end()}. */
        Writer beginStructList(int id, int size) {
            listHeader(id, STRUCT, size);
            return this;
        }

        Writer beginElement() {
            lastId[++depth] = 0;
            return this;
        }

        Writer i32List(int id, int... values) {
            listHeader(id, I32, values.length);
            for (int v : values) {
                varint(zigzag(v));
            }
            return this;
        }

        Writer stringList(int id, List<String> values) {
            listHeader(id, BINARY, values.size());
            for (String v : values) {
                binary(v.getBytes(StandardCharsets.UTF_8));
            }
            return this;
        }

        /** Appends an already encoded struct, as an element of the list being written. */
        Writer raw(byte[] encodedStruct) {
            out.write(encodedStruct, 0, encodedStruct.length);
            return this;
        }

        /** Ends the innermost struct (or list element). */
        Writer end() {
            out.write(STOP);
            depth--;
            return this;
        }

        /** The bytes of the outermost struct, which this ends. */
        byte[] finish() {
            out.write(STOP);
            return out.toByteArray();
        }

        private Writer integer(int id, int type, long v) {
            field(id, type);
            varint(zigzag(v));
            return this;
        }

        private void listHeader(int id, int elemType, int size) {
            field(id, LIST);
            if (size < 15) {
                out.write(size << 4 | elemType);
            } else {
                out.write(0xF0 | elemType);
                varint(size);
            }
        }

        private void field(int id, int type) {
            int delta = id - lastId[depth];
            if (delta > 0 && delta <= 15) {
                out.write(delta << 4 | type);
            } else {
                out.write(type);
                varint(zigzag(id));
            }
            lastId[depth] = id;
        }

        private void binary(byte[] v) {
            varint(v.length);
            out.write(v, 0, v.length);
        }

        private void varint(long v) {
            while ((v & ~0x7FL) != 0) {
                out.write((int) (v & 0x7F) | 0x80);
                v >>>= 7;
            }
            out.write((int) v);
        }

        private static long zigzag(long n) {
            return (n << 1) ^ (n >> 63);
        }
    }

    private CompactThrift() {
    }
}
