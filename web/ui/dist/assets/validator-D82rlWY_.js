import{co as i}from"./index-CcMh5oZd.js";const n=o=>["",...i].includes(o);export{n as i};
