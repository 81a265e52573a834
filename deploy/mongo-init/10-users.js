// Runs once, on the first start of an empty MongoDB volume (docker-entrypoint-initdb.d).
// The consumer writes with coinstream_writer; the API reads with coinstream_reader.
const dbName = process.env.MONGO_DATABASE || "coinstream";
const target = db.getSiblingDB(dbName);
target.createUser({
  user: "coinstream_writer",
  pwd: process.env.MONGO_WRITER_PASSWORD,
  roles: [{ role: "readWrite", db: dbName }],
});
target.createUser({
  user: "coinstream_reader",
  pwd: process.env.MONGO_READER_PASSWORD,
  roles: [{ role: "read", db: dbName }],
});
