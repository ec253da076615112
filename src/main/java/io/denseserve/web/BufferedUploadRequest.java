package io.denseserve.web;

import jakarta.servlet.ReadListener;
import jakarta.servlet.ServletException;
import jakarta.servlet.ServletInputStream;
import jakarta.servlet.ServletRequest;
import jakarta.servlet.ServletRequestWrapper;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletRequestWrapper;
import jakarta.servlet.http.Part;
import java.io.BufferedReader;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.Charset;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import org.apache.catalina.core.ApplicationPart;
import org.apache.tomcat.util.http.fileupload.FileItem;
import org.apache.tomcat.util.http.fileupload.FileUpload;
import org.apache.tomcat.util.http.fileupload.UploadContext;
import org.apache.tomcat.util.http.fileupload.disk.DiskFileItemFactory;

/**
 * A request whose body has already arrived ({@link Upload}): its input stream reads the buffered
 * bytes, and multipart parts are parsed from them with the multipart parser Tomcat itself uses,
 * under the same limits, held in memory (the root filesystem may be read-only).
 */
public final class BufferedUploadRequest extends HttpServletRequestWrapper {

    /** The multipart limits the container would apply (Spring Boot's {@code spring.servlet.multipart} and {@code server.tomcat}). */
    record MultipartLimits(long maxFileSize, long maxRequestSize, long maxPartCount, int maxPartHeaderSize) {}

    private final byte[] body;
    private final MultipartLimits limits;
    private List<Part> parts;

    BufferedUploadRequest(HttpServletRequest request, byte[] body, MultipartLimits limits) {
        super(request);
        this.body = body;
        this.limits = limits;
    }

    /**
     * The body of a request that went through {@link UploadBuffering}, without a copy, or
     * {@code null} for any other request. The caller must not modify it.
     */
    public static byte[] bodyOf(ServletRequest request) {
        ServletRequest r = request;
        while (r instanceof ServletRequestWrapper wrapper) {
            if (r instanceof BufferedUploadRequest buffered) {
                return buffered.body;
            }
            r = wrapper.getRequest();
        }
        return null;
    }

    @Override
    public ServletInputStream getInputStream() {
        ByteArrayInputStream bytes = new ByteArrayInputStream(body);
        return new ServletInputStream() {
            @Override
            public int read() {
                return bytes.read();
            }

            @Override
            public int read(byte[] b, int off, int len) {
                return bytes.read(b, off, len);
            }

            @Override
            public boolean isFinished() {
                return bytes.available() == 0;
            }

            @Override
            public boolean isReady() {
                return true;
            }

            @Override
            public void setReadListener(ReadListener listener) {
                throw new IllegalStateException("the body has already been read into memory");
            }
        };
    }

    @Override
    public BufferedReader getReader() {
        String encoding = getCharacterEncoding();
        Charset charset = encoding != null ? Charset.forName(encoding) : StandardCharsets.ISO_8859_1;
        return new BufferedReader(new InputStreamReader(getInputStream(), charset));
    }

    @Override
    public int getContentLength() {
        return body.length;
    }

    @Override
    public long getContentLengthLong() {
        return body.length;
    }

    @Override
    public Collection<Part> getParts() throws IOException, ServletException {
        if (parts == null) {
            parts = parseParts();
        }
        return parts;
    }

    @Override
    public Part getPart(String name) throws IOException, ServletException {
        for (Part part : getParts()) {
            if (part.getName().equals(name)) {
                return part;
            }
        }
        return null;
    }

    private List<Part> parseParts() {
        DiskFileItemFactory memoryOnly = new DiskFileItemFactory(Integer.MAX_VALUE, null);
        FileUpload upload = new FileUpload();
        upload.setFileItemFactory(memoryOnly);
        upload.setFileSizeMax(limits.maxFileSize());
        upload.setSizeMax(limits.maxRequestSize());
        upload.setFileCountMax(limits.maxPartCount());
        upload.setPartHeaderSizeMax(limits.maxPartHeaderSize());
        try {
            List<Part> parsed = new ArrayList<>();
            for (FileItem item : upload.parseRequest(new Context())) {
                parsed.add(new ApplicationPart(item, null));
            }
            return parsed;
        } catch (IOException e) { // FileUploadException among them
            // As the container reports it, so that Spring maps size limits to 413 as before.
            throw new IllegalStateException(e);
        }
    }

    private final class Context implements UploadContext {
        @Override
        public String getCharacterEncoding() {
            return BufferedUploadRequest.this.getCharacterEncoding();
        }

        @Override
        public String getContentType() {
            return BufferedUploadRequest.this.getContentType();
        }

        @Override
        public InputStream getInputStream() {
            return new ByteArrayInputStream(body);
        }

        @Override
        public long contentLength() {
            return body.length;
        }
    }
}
