/** Flink sinks of Sluice: the exactly-once PostgreSQL sink. */
package dev.sluice.sinks;
