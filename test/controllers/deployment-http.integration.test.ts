import { runDeploymentSuite } from './deployment-suite.js';

runDeploymentSuite('http');
