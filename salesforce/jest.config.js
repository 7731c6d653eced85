// Jest for the Lightning web components: the standard sfdx-lwc-jest configuration (run from this
// directory, where sfdx-project.json is) plus mocks of the platform modules the component uses.
const { jestConfig } = require('@salesforce/sfdx-lwc-jest/config');

module.exports = {
    ...jestConfig,
    moduleNameMapper: {
        // a controllable empApi: tests deliver messages and raise streaming errors
        '^lightning/empApi$': '<rootDir>/jest-mocks/lightning/empApi',
        // the running user (@salesforce/user/Id)
        '^@salesforce/user/Id$': '<rootDir>/jest-mocks/salesforce/userId'
    },
    testPathIgnorePatterns: [...(jestConfig.testPathIgnorePatterns || []), '<rootDir>/.sfdx/', '<rootDir>/.sf/']
};
