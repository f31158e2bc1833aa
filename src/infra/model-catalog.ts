import type { BackendReport } from '../core/backend-report.js';
import type { ModelCatalog, OfferedModel } from '../core/models.js';
import { routeKey } from '../core/routes.js';
import type { ModelOffer } from '../shared/model-offers.js';

/**
 * The configured offers joined with the workers' latest checks: a model is available when some
 * worker has it, unavailable when workers reported and none has it, unknown (null) when no worker
 * reported lately (the job then queues; the worker's backend has the last word).
 */
export class ReportedModelCatalog implements ModelCatalog {
  constructor(
    private readonly offers: readonly ModelOffer[],
    private readonly reports: { fresh(): Promise<BackendReport[]> },
    private readonly onError: (error: unknown) => void,
  ) {}

  async list(): Promise<OfferedModel[]> {
    let reports: BackendReport[] = [];
    try {
      reports = await this.reports.fresh();
    } catch (error) {
      // Unknown rather than refused: the reports are advice, and the queue needs Redis anyway.
      this.onError(error);
    }
    return this.offers.map((offer) => {
      const said = reports.flatMap((r) => r.models.filter((m) => m.id === offer.id));
      const available = said.length === 0 ? null : said.some((m) => m.available);
      // Only reports that list routes can speak for video (older workers did not check it).
      const routed = reports.filter((r) => r.routes);
      const videoAvailable = routed.length === 0 ? null : routed.some((r) => r.routes!.includes(routeKey({ kind: 'video', model: offer.id })));
      return { id: offer.id, label: offer.label, available, videoAvailable };
    });
  }
}
