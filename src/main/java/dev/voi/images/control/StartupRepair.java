package dev.voi.images.control;

import dev.voi.storage.LayerStore;
import jakarta.annotation.PostConstruct;
import jakarta.ejb.DependsOn;
import jakarta.ejb.Singleton;
import jakarta.ejb.Startup;
import jakarta.ejb.TransactionManagement;
import jakarta.ejb.TransactionManagementType;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;

/**
 * Repairs what an interrupted publish left behind, before any request: leftover uploads go, and a
 * file renamed into place whose row never committed goes too. Runs after the data directory has
 * been matched with the database.
 */
@Startup
@Singleton
@DependsOn("ServerIdentity")
@TransactionManagement(TransactionManagementType.BEAN)
public class StartupRepair {

  @Inject LayerStore store;
  @Inject Lineage lineage;

  @PostConstruct
  void repair() {
    try {
      store.recover(lineage::referenced);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot clean the data directory " + store.dataDir(), e);
    }
  }
}
