/*
 * DynamoDB Local bound to one address (loopback) instead of every interface. The jar has no
 * bind option: its DynamoDBProxyServer makes a Jetty Server(port), whose connector binds the
 * wildcard address. This launcher builds the server exactly as the jar's own main does
 * (ServerRunner.createServerFromCommandLineArgs, the same command-line options), sets the host of
 * every connector before the server starts, and starts it. Nothing listens before that.
 *
 * Telemetry is never configured (the jar's main would configure it unless -disableTelemetry).
 * The JVM also ends when its standard input closes: the process that started it died, even by
 * SIGKILL, and an orphan must not keep the database or the port.
 *
 * Compiled on first use by local/services/dynamodb-jvm.ts with the JDK's own compiler module.
 */
import java.lang.reflect.Field;
import org.eclipse.jetty.server.AbstractNetworkConnector;
import org.eclipse.jetty.server.Connector;
import org.eclipse.jetty.server.Server;
import software.amazon.dynamodb.services.local.main.ServerRunner;
import software.amazon.dynamodb.services.local.server.DynamoDBProxyServer;

public final class LoopbackDynamoDbLocal {
  private LoopbackDynamoDbLocal() {}

  public static void main(String[] args) throws Exception {
    String host = System.getProperty("dynamodb.local.host", "127.0.0.1");
    DynamoDBProxyServer proxy = ServerRunner.createServerFromCommandLineArgs(args);
    Field field = DynamoDBProxyServer.class.getDeclaredField("server");
    field.setAccessible(true);
    Server server = (Server) field.get(proxy);
    int connectors = 0;
    for (Connector connector : server.getConnectors()) {
      ((AbstractNetworkConnector) connector).setHost(host);
      connectors++;
    }
    if (connectors == 0) throw new IllegalStateException("DynamoDB Local has no connector to bind to " + host);

    Thread watchParent = new Thread(() -> {
      try {
        while (System.in.read() != -1) {
          // Nothing is ever sent: only the end of the stream matters.
        }
      } catch (java.io.IOException ignored) {
        // A broken pipe ends the parent just the same.
      }
      System.exit(0);
    }, "parent-watch");
    watchParent.setDaemon(true);
    watchParent.start();

    server.start();
    System.out.println("DynamoDB Local listening on " + host);
    server.join();
  }
}
