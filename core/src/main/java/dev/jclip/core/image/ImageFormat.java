package dev.jclip.core.image;

import java.nio.charset.StandardCharsets;
import java.util.Locale;
import java.util.Set;

/**
 * An image file's format, told from its first bytes (its "magic"), never from its name: photo
 * folders are full of PNGs called {@code .jpg} and HEICs called {@code .jpeg}.
 *
 * <p>The formats jclip decodes, and those it recognises in order to refuse them with a message that
 * says what to do (they cannot be decoded in pure Java: HEIC/AVIF need an HEVC/AV1 decoder, camera
 * RAW files a demosaicing pipeline per camera).
 */
public enum ImageFormat {
    JPEG("JPEG", null),
    PNG("PNG", null),
    GIF("GIF", null),
    BMP("BMP", null),
    TIFF("TIFF", null),
    WEBP("WebP", null),
    HEIC("HEIC/HEIF", "convert it to JPEG first, e.g. with `heif-convert IN.heic OUT.jpg` (libheif)"),
    AVIF("AVIF", "convert it to PNG or JPEG first, e.g. with `avifdec IN.avif OUT.png` (libavif)"),
    JPEG_XL("JPEG XL", "convert it first, e.g. with `djxl IN.jxl OUT.png` (libjxl)"),
    CAMERA_RAW("camera RAW", "export it to JPEG or TIFF first, e.g. with `darktable-cli` or `dcraw -T`"),
    PDF("PDF", "it is a document, not an image"),
    SVG("SVG", "it is a vector drawing; render it to PNG first, e.g. with `rsvg-convert`");

    private final String displayName;
    private final String refusal;

    /**
     * Extensions that promise an image: such a file that turns out not to be one is reported as a
     * failure (it is usually a damaged photo), not skipped in silence like a {@code notes.txt}.
     */
    private static final Set<String> IMAGE_EXTENSIONS = Set.of("jpg", "jpeg", "jpe", "jfif", "png", "gif", "bmp", "dib",
            "tif", "tiff", "webp", "heic", "heif", "avif", "jxl", "cr2", "cr3", "nef", "arw", "dng", "orf", "rw2", "raf");

    ImageFormat(String displayName, String refusal) {
        this.displayName = displayName;
        this.refusal = refusal;
    }

    /** The format's usual name, e.g. "WebP". */
    public String displayName() {
        return displayName;
    }

    /** Whether jclip decodes this format. */
    public boolean supported() {
        return refusal == null;
    }

    /** For a format jclip recognises but cannot decode: what the user should do instead. */
    public String refusal() {
        return refusal;
    }

    /** The formats jclip decodes, for messages: "JPEG, PNG, GIF, BMP, TIFF or WebP". */
    public static String supportedList() {
        return "JPEG, PNG, GIF, BMP, TIFF or WebP";
    }

    /** Whether a file name's extension (any case) promises an image, whether or not jclip decodes that format. */
    public static boolean promisedByName(String fileName) {
        int dot = fileName.lastIndexOf('.');
        return dot > 0 && IMAGE_EXTENSIONS.contains(fileName.substring(dot + 1).toLowerCase(Locale.ROOT));
    }

    /** The format of an encoded image, or {@code null} when its first bytes match none known. */
    public static ImageFormat sniff(byte[] b) {
        if (startsWith(b, 0, 0xFF, 0xD8, 0xFF)) {
            return JPEG;
        }
        if (startsWith(b, 0, 0x89, 'P', 'N', 'G', 0x0D, 0x0A, 0x1A, 0x0A)) {
            return PNG;
        }
        if (startsWith(b, 0, 'G', 'I', 'F', '8')) {
            return GIF;
        }
        if (startsWith(b, 0, 'B', 'M')) {
            return BMP;
        }
        if (startsWith(b, 0, 'R', 'I', 'F', 'F') && startsWith(b, 8, 'W', 'E', 'B', 'P')) {
            return WEBP;
        }
        if (startsWith(b, 4, 'f', 't', 'y', 'p')) {
            return isoBrand(b);
        }
        if (startsWith(b, 0, 0xFF, 0x0A) || startsWith(b, 0, 0, 0, 0, 0x0C, 'J', 'X', 'L', ' ')) {
            return JPEG_XL;
        }
        if (startsWith(b, 0, 'I', 'I', 0x2A, 0) || startsWith(b, 0, 'M', 'M', 0, 0x2A)) {
            return tiffOrRaw(b);
        }
        if (startsWith(b, 0, 'I', 'I', 'R', 'O') || startsWith(b, 0, 'I', 'I', 'U', 0)   // Olympus ORF, Panasonic RW2
                || startsWith(b, 0, 'F', 'U', 'J', 'I', 'F', 'I', 'L', 'M')              // Fujifilm RAF
                || startsWith(b, 0, 0, 'M', 'R', 'M')) {                                  // Minolta MRW
            return CAMERA_RAW;
        }
        if (startsWith(b, 0, '%', 'P', 'D', 'F')) {
            return PDF;
        }
        if (looksLikeSvg(b)) {
            return SVG;
        }
        return null;
    }

    /** ISO base media files: the {@code ftyp} box's brands say HEIC or AVIF (or a video). */
    private static ImageFormat isoBrand(byte[] b) {
        String brands = new String(b, 8, Math.max(0, Math.min(b.length, 64) - 8), StandardCharsets.ISO_8859_1);
        if (brands.contains("avif") || brands.contains("avis")) {
            return AVIF;
        }
        for (String heif : new String[] {"heic", "heix", "heim", "heis", "hevc", "hevx", "mif1", "msf1"}) {
            if (brands.contains(heif)) {
                return HEIC;
            }
        }
        if (brands.startsWith("crx ")) {
            return CAMERA_RAW; // Canon CR3
        }
        return null;
    }

    /**
     * TIFF and most camera RAW formats (NEF, CR2, ARW, DNG, …) share the TIFF header. CR2 marks itself
     * at byte 8; the others are told by their file, not their first bytes, so a TIFF whose first image
     * is a small preview is still decoded as that TIFF (as Pillow does).
     */
    private static ImageFormat tiffOrRaw(byte[] b) {
        return startsWith(b, 8, 'C', 'R', 2) ? CAMERA_RAW : TIFF;
    }

    private static boolean looksLikeSvg(byte[] b) {
        int n = Math.min(b.length, 256);
        String head = new String(b, 0, n, StandardCharsets.ISO_8859_1).stripLeading();
        return head.startsWith("<svg") || (head.startsWith("<?xml") && head.contains("<svg"));
    }

    private static boolean startsWith(byte[] b, int offset, int... magic) {
        if (b.length < offset + magic.length) {
            return false;
        }
        for (int i = 0; i < magic.length; i++) {
            if ((b[offset + i] & 0xff) != magic[i]) {
                return false;
            }
        }
        return true;
    }
}
