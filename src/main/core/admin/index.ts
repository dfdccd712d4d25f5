import { customerTools } from './customers';
import { gatewayTools } from './gateway';
import { keyTools } from './keys';
import { AdminRegistry } from './registry';

/** Every admin tool, in the order they are listed. */
export function createAdminRegistry(): AdminRegistry {
  return new AdminRegistry([...customerTools, ...keyTools, ...gatewayTools]);
}
