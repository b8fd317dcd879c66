export { closedForm, xpOf, preActivation, reluInPlace, recoverFeatures, recoverBatch, sampleX, columnGram, type Mat64, type AnyMat } from "./core.ts";
export { gapDirect, gapFormula, gapMatrix, gammaSquared, recoveryCurve, recoveryPoint, type GapResult, type GammaLike, type RecoveryPoint } from "./gaps.ts";
export { shrinkOne, shrinkStats, type FeatureOutcome, type OneSampleShrink, type FeatureShrinkStats, type ShrinkSummary } from "./shrink.ts";
export { example1, example2, exampleWp, regularPolygon, polygonBlocks, type WorkedExample } from "./examples.ts";
export { checkPremises, featureGroups, type Premise, type PremiseReport, type FeatureGroup, type GroupKind } from "./premises.ts";
export { oracleGamma, normalizeGamma, type OracleGamma } from "./gamma.ts";
export { analyseWp, type AnalyseOptions, type TheoryReport, type GapReport, type GammaChoice } from "./analyse.ts";
