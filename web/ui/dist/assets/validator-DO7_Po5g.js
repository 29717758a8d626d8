import{co as i}from"./index-DQAnGP12.js";const n=o=>["",...i].includes(o);export{n as i};
