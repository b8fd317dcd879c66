/** Evaluation metrics of docs/method.md §2. All pure, all float64 internally; rows are samples. */
export type { AnyMat } from "./types.ts";
export { activate, responseMatrix, respondingLatents, activatedFeatures, type ActivatedFeatures } from "./response.ts";
export { maxWeightAssignment, alignFeatures, type Assignment, type Alignment } from "./alignment.ts";
export { groundTruthLoss, reconstructionLoss, explainedVariance, type GroundTruthLoss } from "./losses.ts";
export { l0, deadLatents, perDimVariance } from "./activity.ts";
export { cosineMatrix, meanMaxCosine, matchedMeanCosine, type MatchedCosine } from "./cosine.ts";
export { semanticConsistency, type SemanticConsistency } from "./semantic.ts";
