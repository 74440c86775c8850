package dev.jclip.core.image;

/**
 * What jclip will read of one image, checked before the work that would exceed it: the file's size
 * before it is read, the pixel count before a pixel is decoded, a progressive JPEG's scan count before
 * its first scan.
 *
 * @param maxFileBytes the largest file read; the default (512 MiB) is far above any camera photo and
 *                     keeps {@code /dev/zero} or a mislabelled disk image from filling the heap
 * @param maxPixels    the largest width × height decoded; the default is Pillow's: twice
 *                     {@code Image.MAX_IMAGE_PIXELS}, above which Pillow refuses a file as a bomb
 * @param maxJpegScans the most scans a JPEG may have: each one re-decodes the whole image, so a file
 *                     that repeats its last scan thousands of times takes minutes; real progressive
 *                     JPEGs have about ten
 */
public record ImageLimits(long maxFileBytes, long maxPixels, int maxJpegScans) {
    public static final long DEFAULT_MAX_FILE_BYTES = 512L << 20;
    public static final long DEFAULT_MAX_PIXELS = 2L * (1024L * 1024 * 1024 / 4 / 3);
    public static final int DEFAULT_MAX_JPEG_SCANS = 100;
    public static final ImageLimits DEFAULT = new ImageLimits(DEFAULT_MAX_FILE_BYTES, DEFAULT_MAX_PIXELS, DEFAULT_MAX_JPEG_SCANS);

    public ImageLimits {
        if (maxFileBytes <= 0 || maxPixels <= 0 || maxJpegScans <= 0) {
            throw new IllegalArgumentException("image limits must be positive: " + maxFileBytes + " bytes, "
                    + maxPixels + " pixels, " + maxJpegScans + " JPEG scans");
        }
    }

    /** These limits with another pixel limit. */
    public ImageLimits withMaxPixels(long pixels) {
        return new ImageLimits(maxFileBytes, pixels, maxJpegScans);
    }

    /** These limits with another file-size limit. */
    public ImageLimits withMaxFileBytes(long bytes) {
        return new ImageLimits(bytes, maxPixels, maxJpegScans);
    }
}
