// What k3s installs with its local-storage addon: the default StorageClass `local-path`, served by
// the built-in local-path provisioner (controllers/volume/localpath). A class that exists is left
// as it is; one the user deleted comes back at the next start, as k3s re-applies its addons.
import type { Client } from '../client/client.js';
import { R } from '../client/resources.js';
import { isAlreadyExists } from '../controllers/common/errors.js';
import { localPathStorageClass } from '../controllers/volume/localpath/provisioner.js';

export async function installLocalPathStorageClass(installer: Client): Promise<void> {
  try {
    await installer.create(R.storageclasses, undefined, localPathStorageClass());
  } catch (e) {
    if (!isAlreadyExists(e)) throw e;
  }
}
