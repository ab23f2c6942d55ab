import { runSchedulerSuite } from './scheduler-suite.js';

runSchedulerSuite('http');
