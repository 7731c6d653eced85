// @salesforce/user/Id in tests: the agent whose console runs the component.
export default '005000000000001AAA';
