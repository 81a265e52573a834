// The cluster's one-shot `mongo-replica-set` job (docker-compose.cluster.yml): makes the
// three members a replica set, once. Run again, on a set already initiated, it changes
// nothing; either way it waits until the set has a primary, so services that start after
// it can write with w: majority.
const members = ["mongo:27017", "mongo-2:27017", "mongo-3:27017"];
try {
  rs.status();
  print("replica set rs0 already initiated");
} catch (error) {
  if (error.codeName !== "NotYetInitialized") throw error;
  rs.initiate({ _id: "rs0", members: members.map((host, i) => ({ _id: i, host })) });
  print("replica set rs0 initiated");
}
while (!db.hello().isWritablePrimary && !db.hello().primary) sleep(500);
print(`primary: ${db.hello().primary}`);
