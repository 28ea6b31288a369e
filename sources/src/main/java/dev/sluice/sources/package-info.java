/** Flink sources of Sluice: the Amp Arrow Flight source and PostgreSQL CDC. */
package dev.sluice.sources;
