import { runDeploymentSuite } from './deployment-suite.js';

runDeploymentSuite('local');
