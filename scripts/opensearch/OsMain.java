// OsMain starts one OpenSearch node in this JVM (OpenSearch's test framework
// MockNode, with the netty4 HTTP transport and mapper-extras), for the
// compatibility experiment in README.md. Args: home directory. Properties:
// http.port (default 19200; the transport port is http.port + 100).
import java.nio.file.*;
import java.util.*;
import org.opensearch.common.settings.Settings;
import org.opensearch.index.mapper.MapperExtrasPlugin;
import org.opensearch.node.MockNode;
import org.opensearch.plugins.Plugin;
import org.opensearch.transport.Netty4Plugin;

public class OsMain {
  public static void main(String[] args) throws Exception {
    Path home = Paths.get(args.length > 0 ? args[0] : "oshome").toAbsolutePath();
    Files.createDirectories(home);
    int port = Integer.parseInt(System.getProperty("http.port", "19200"));
    Settings s = Settings.builder()
        .put("path.home", home.toString())
        .put("path.data", home.resolve("data").toString())
        .put("path.logs", home.resolve("logs").toString())
        .put("cluster.name", "netbeat-try")
        .put("node.name", "netbeat-try-node")
        .put("http.port", Integer.toString(port))
        .put("transport.port", Integer.toString(port + 100))
        .put("discovery.type", "single-node")
        .put("network.host", "127.0.0.1")
        .build();
    List<Class<? extends Plugin>> plugins = List.of(Netty4Plugin.class, MapperExtrasPlugin.class);
    long t0 = System.currentTimeMillis();
    MockNode node = new MockNode(s, plugins, false);
    node.start();
    System.out.println("node started in " + (System.currentTimeMillis() - t0) + " ms");
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try { node.close(); } catch (Exception e) { }
    }));
    Thread.currentThread().join();
  }
}
