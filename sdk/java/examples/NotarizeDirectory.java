package org.evidenceledger.examples;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.evidenceledger.sdk.EvidenceClient;
import org.evidenceledger.sdk.Jcs;
import org.evidenceledger.sdk.Keys;
import org.evidenceledger.sdk.Receipts;
import org.evidenceledger.sdk.Records;

/**
 * Notarizes every file of a directory for one case and prints their receipts.
 *
 * <pre>
 * java -cp CLASSPATH org.evidenceledger.examples.NotarizeDirectory --node URL --key AGENCY.pem
 *     --agency ID --case CASE [--kind KIND] [--stage STAGE] [--genesis GENESIS.json] DIR
 * </pre>
 *
 * Signs the files' records as batches (one signature per batch), sends them, waits until they
 * are committed, checks each receipt offline against the genesis file when --genesis is given,
 * and prints one JSON line per file: {"file", "record_id", "receipt"}. Exit 0 when every file is
 * notarized, 1 otherwise (the reason on stderr), 2 for bad arguments.
 */
public final class NotarizeDirectory {
  private NotarizeDirectory() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> options = new HashMap<>(Map.of("--kind", "enforcement_record",
        "--stage", "investigation"));
    String directory = null;
    for (int i = 0; i < args.length; i++) {
      if (args[i].startsWith("--") && i + 1 < args.length) {
        options.put(args[i], args[++i]);
      } else {
        directory = args[i];
      }
    }
    for (String required : List.of("--node", "--key", "--agency", "--case")) {
      if (!options.containsKey(required) || directory == null) {
        System.err.println("usage: NotarizeDirectory --node URL --key AGENCY.pem --agency ID "
            + "--case CASE [--kind KIND] [--stage STAGE] [--genesis GENESIS.json] DIR");
        System.exit(2);
      }
    }
    PrintStream out = new PrintStream(System.out, true, StandardCharsets.UTF_8);
    try {
      run(options, Path.of(directory), out);
    } catch (EvidenceClient.ProblemException | EvidenceClient.TransportException
             | Receipts.ReceiptException | IOException e) {
      System.err.println("NotarizeDirectory: " + e.getMessage());
      System.exit(1);
    }
  }

  static void run(Map<String, String> options, Path directory, PrintStream out)
      throws IOException, Receipts.ReceiptException {
    List<Path> files;
    try (Stream<Path> listed = Files.list(directory)) {
      files = listed.filter(Files::isRegularFile).sorted().toList();
    }
    if (files.isEmpty()) throw new IOException("no files in " + directory);
    EvidenceClient node = new EvidenceClient(options.get("--node"), Duration.ofSeconds(120),
        Duration.ofSeconds(60), pause -> Thread.sleep(pause.toMillis()),
        (reason, pause) -> System.err.println("NotarizeDirectory: " + reason
            + "; sending the same bytes again in " + pause.toSeconds() + " s"));
    Keys.SigningKey key = Keys.SigningKey.load(Path.of(options.get("--key")));
    Receipts.Genesis genesis = options.containsKey("--genesis")
        ? Receipts.Genesis.load(Path.of(options.get("--genesis"))) : null;
    JsonNode chain = node.status();
    String hash = chain.path("hash").asText();
    Records.Fields fields = new Records.Fields().chainId(chain.path("chain_id").asText())
        .agency(options.get("--agency")).kind(options.get("--kind"))
        .caseId(options.get("--case")).stage(options.get("--stage"));
    List<ObjectNode> unsigned = new ArrayList<>();
    for (Path file : files) unsigned.add(Records.forFile(file, fields, hash));
    int position = 0;
    for (Records.SignedBatch batch : Records.signBatches(key, unsigned, hash)) {
      JsonNode answer = node.submitBatch(batch,
          EvidenceClient.SubmitOptions.waitUpTo(Duration.ofSeconds(60)));
      for (int i = 0; i < batch.ids().size(); i++) {
        Path file = files.get(position++);
        String id = batch.ids().get(i);
        JsonNode receipt = answer.path("records").get(i).path("receipt");
        if (!receipt.isObject()) {
          String digest = batch.records().get(i).path("digest").asText();
          receipt = node.receipt(id, digest, Duration.ofSeconds(60));
        }
        if (genesis != null) Receipts.verify(receipt, genesis, Files.readAllBytes(file));
        ObjectNode line = Jcs.MAPPER.createObjectNode();
        line.put("file", file.getFileName().toString());
        line.put("record_id", id);
        line.set("receipt", receipt);
        out.println(Jcs.MAPPER.writeValueAsString(line));
      }
    }
  }
}
