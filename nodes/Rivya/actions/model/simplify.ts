import type { IDataObject } from 'n8n-workflow';

import type { RivyaModel } from '../../../shared/catalog';

/** What picking a model needs; the raw catalog entry stays available with Simplify off. */
export function simplifyModel(model: RivyaModel): IDataObject {
	return {
		id: model.id,
		name: model.display_name,
		category: model.category,
		apiStatus: model.api_status,
		baseCredits: model.base_credits,
		billingType: model.billing_type ?? null,
		maxPromptLength: model.max_prompt_length,
		inputs: model.supported_api_inputs ?? ['text'],
		referenceKinds: model.reference_media?.kinds ?? [],
		maxReferenceFiles: model.reference_media?.max_files ?? null,
		params: model.params.map((param) => param.key),
		notices: model.notices ?? [],
	};
}
