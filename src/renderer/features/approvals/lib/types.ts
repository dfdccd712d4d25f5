import type { ToolOutput } from '../../../../shared/registry';

export type Approval = ToolOutput<'list_approvals'>['approvals'][number];
