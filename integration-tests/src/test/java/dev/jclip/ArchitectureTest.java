package dev.jclip;

import com.tngtech.archunit.core.domain.JavaClasses;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import org.junit.jupiter.api.Test;

import static com.tngtech.archunit.lang.syntax.ArchRuleDefinition.noClasses;
import static com.tngtech.archunit.library.dependencies.SlicesRuleDefinition.slices;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The structure the README promises, checked on the compiled main classes of every module: no
 * package cycles, applications depend on the model and never the reverse, the Vector API in one
 * package.
 */
class ArchitectureTest {
    private static final JavaClasses MAIN = new ClassFileImporter()
            .withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS)
            .withImportOption(location -> !location.contains("-tests.jar"))   // core's test helpers, when read from ~/.m2
            .importPackages("dev.jclip");

    @Test
    void everyModuleIsRead() {
        for (String pkg : new String[]{"dev.jclip.tensor.simd", "dev.jclip.core.model", "dev.jclip.convert",
                "dev.jclip.hub", "dev.jclip.server", "dev.jclip.cli"}) {
            assertTrue(MAIN.containPackage(pkg), "no main classes of " + pkg + " on the test class path");
        }
    }

    @Test
    void noPackageCycles() {
        slices().matching("dev.jclip.(**)").should().beFreeOfCycles().check(MAIN);
    }

    @Test
    void theModelKnowsNothingOfItsApplications() {
        noClasses().that().resideInAnyPackage("dev.jclip.tensor..", "dev.jclip.core", "dev.jclip.core.model..",
                        "dev.jclip.core.weights..", "dev.jclip.core.tokenizer..", "dev.jclip.core.image..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.jclip.core.zeroshot..", "dev.jclip.core.index..",
                        "dev.jclip.convert..", "dev.jclip.hub..", "dev.jclip.server..", "dev.jclip.cli..",
                        "dev.jclip.parquet..", "dev.jclip.lucene..", "dev.jclip.spark..")
                .check(MAIN);
    }

    @Test
    void theLibraryDoesNotReachForTheToolsAroundIt() {
        noClasses().that().resideInAnyPackage("dev.jclip.core..", "dev.jclip.tensor..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.jclip.convert..", "dev.jclip.hub..",
                        "dev.jclip.server..", "dev.jclip.cli..", "dev.jclip.parquet..", "dev.jclip.lucene..", "dev.jclip.spark..")
                .check(MAIN);
        noClasses().that().resideInAnyPackage("dev.jclip.convert..", "dev.jclip.hub..", "dev.jclip.parquet..", "dev.jclip.lucene..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.jclip.server..", "dev.jclip.cli..", "dev.jclip.spark..")
                .check(MAIN);
        // The table format stands alone: the CLI and the Spark job share it, and it needs nothing of the model.
        noClasses().that().resideInAPackage("dev.jclip.parquet..")
                .should().dependOnClassesThat().resideInAnyPackage("dev.jclip.core..", "dev.jclip.tensor..")
                .check(MAIN);
    }

    @Test
    void theVectorApiIsImportedInOnePackage() {
        noClasses().that().resideOutsideOfPackage("dev.jclip.tensor.simd")
                .should().dependOnClassesThat().resideInAPackage("jdk.incubator.vector")
                .check(MAIN);
    }
}
